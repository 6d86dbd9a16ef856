//! How a month's spend maps onto a report's range: **prorated by days**. A month's spend is
//! spread evenly over its local days (in the report's zone); the range gets the share of the
//! days whose start (local midnight) lies inside it, rounded half up to the cent per month.
//! A range of whole months gets exactly the months' spend; 1–15 June gets half of June's; an
//! unbounded side covers every month on that side.

use super::ratio_half_up;
use crate::range::{DateRange, day_start};
use jiff::civil::Date;
use std::fmt;
use std::str::FromStr;

/// A calendar month, `YYYY-MM` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i16,
    month: i8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a month YYYY-MM")]
pub struct MonthError;

impl FromStr for Month {
    type Err = MonthError;
    fn from_str(raw: &str) -> Result<Month, MonthError> {
        let (y, m) = raw.split_once('-').ok_or(MonthError)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(MonthError);
        }
        let year: i16 = y.parse().map_err(|_| MonthError)?;
        let month: i8 = m.parse().map_err(|_| MonthError)?;
        if !(2000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(MonthError);
        }
        Ok(Month { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Month {
    fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).expect("a validated month has a first day")
    }

    /// `(days of the month whose start lies in range, days in the month)`.
    pub fn covered_days(self, range: &DateRange) -> (i64, i64) {
        let first = self.first_day();
        let days = i64::from(first.days_in_month());
        let covered = (0..days)
            .filter_map(|i| first.checked_add(jiff::Span::new().days(i)).ok())
            .filter(|d| day_start(*d, &range.tz).is_some_and(|t| range.contains(t)))
            .count();
        (covered as i64, days)
    }

    /// The part of `spend_cents` (this month's spend) that falls in `range`; `None` when the
    /// range covers none of the month's days.
    pub fn prorated(self, spend_cents: i64, range: &DateRange) -> Option<i64> {
        let (covered, days) = self.covered_days(range);
        if covered == 0 {
            return None;
        }
        ratio_half_up(spend_cents.saturating_mul(covered), days)
    }

    /// The months a bounded side of `range` starts or ends in (local), for fetching only the
    /// spend rows that can count: `(first, last)`, `None` where the range is open.
    pub fn bounds_of(range: &DateRange) -> (Option<Month>, Option<Month>) {
        let month_of = |t: jiff::Timestamp| {
            let d = t.to_zoned_datetime(range.tz.clone()).date();
            Month {
                year: d.year(),
                month: d.month(),
            }
        };
        let last = range
            .end
            .and_then(|e| e.checked_sub(jiff::SignedDuration::from_micros(1)).ok());
        (range.start.map(month_of), last.map(month_of))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: &str, end: &str, tz: &str) -> DateRange {
        DateRange::parse(Some(start), Some(end), Some(tz)).unwrap()
    }

    fn june() -> Month {
        "2026-06".parse().unwrap()
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(june().to_string(), "2026-06");
        for bad in [
            "2026-6", "2026-13", "26-06", "2026/06", "2026-00", "abcd-ef", "",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_whole_month_gets_all_its_spend_and_half_a_month_half() {
        let whole = range("2026-06-01", "2026-06-30", "America/New_York");
        assert_eq!(june().prorated(30_000, &whole), Some(30_000));
        let half = range("2026-06-01", "2026-06-15", "America/New_York");
        assert_eq!(june().covered_days(&half), (15, 30));
        assert_eq!(june().prorated(30_001, &half), Some(15_001));
        let after = range("2026-07-01", "2026-07-31", "UTC");
        assert_eq!(june().prorated(30_000, &after), None);
    }

    #[test]
    fn an_open_range_covers_the_whole_month() {
        let open = DateRange::parse(None, None, None).unwrap();
        assert_eq!(june().prorated(1_234, &open), Some(1_234));
        assert_eq!(Month::bounds_of(&open), (None, None));
    }

    #[test]
    fn bounds_are_the_local_months() {
        let r = range("2026-05-20", "2026-06-30", "Asia/Kolkata");
        let (first, last) = Month::bounds_of(&r);
        assert_eq!(first.unwrap().to_string(), "2026-05");
        assert_eq!(last.unwrap().to_string(), "2026-06");
    }
}
