//! How a range of instants is read from the analytics summaries (issue 9): the whole buckets
//! inside it come from summary rows, the pieces at its edges from the calls themselves.
//!
//! Buckets are counted from 1970-01-01T00:00Z: hours, quarters of an hour, days (24 hours)
//! and blocks (32 days). Every IANA zone's UTC offset today is a multiple of 15 minutes, so a
//! local day is a whole number of quarters; [`day_unit`] says which unit a zone's days need
//! over a range, or `None` for the rare zone whose changes fall inside a quarter (then the
//! calls are read one by one).

use crate::range::OffsetSegment;
use jiff::Timestamp;

pub const QUARTER_MICROS: i64 = 900_000_000;
pub const HOUR_MICROS: i64 = 3_600_000_000;
pub const DAY_MICROS: i64 = 24 * HOUR_MICROS;
/// Days per block of the per-DJ block table.
pub const BLOCK_DAYS: i64 = 32;

/// `[from, to)` counted in some unit; `None` is unbounded on that side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl Span {
    /// The same span counted in a unit `factor` times smaller.
    pub fn times(self, factor: i64) -> Span {
        Span {
            from: self.from.map(|f| f * factor),
            to: self.to.map(|t| t * factor),
        }
    }
}

/// A range split at one bucket width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The whole buckets inside the range, if there are any.
    pub whole: Option<Span>,
    /// Instants to read from the calls: before the first whole bucket and after the last one
    /// (or the whole range when no bucket fits inside it).
    pub raw: Vec<(Timestamp, Timestamp)>,
}

/// Splits `[start, end)` at buckets `width_micros` wide.
pub fn split(start: Option<Timestamp>, end: Option<Timestamp>, width_micros: i64) -> Split {
    let s = start.map(|t| t.as_microsecond());
    let e = end.map(|t| t.as_microsecond());
    let from = s.map(|s| s.div_euclid(width_micros) + i64::from(s.rem_euclid(width_micros) != 0));
    let to = e.map(|e| e.div_euclid(width_micros));
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        let raw = match (start, end) {
            (Some(s), Some(e)) if s < e => vec![(s, e)],
            _ => Vec::new(),
        };
        return Split { whole: None, raw };
    }
    let mut raw = Vec::new();
    if let (Some(start), Some(f)) = (start, from) {
        let edge = instant(f * width_micros);
        if start < edge {
            raw.push((start, edge));
        }
    }
    if let (Some(end), Some(t)) = (end, to) {
        let edge = instant(t * width_micros);
        if edge < end {
            raw.push((edge, end));
        }
    }
    Split {
        whole: Some(Span { from, to }),
        raw,
    }
}

/// Splits a span of days into whole blocks and the days before and after them.
pub fn blocks(days: Span) -> (Option<Span>, Vec<Span>) {
    let from = days
        .from
        .map(|f| f.div_euclid(BLOCK_DAYS) + i64::from(f.rem_euclid(BLOCK_DAYS) != 0));
    let to = days.to.map(|t| t.div_euclid(BLOCK_DAYS));
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return (None, vec![days]);
    }
    let mut rest = Vec::new();
    if let (Some(d), Some(f)) = (days.from, from)
        && d < f * BLOCK_DAYS
    {
        rest.push(Span {
            from: Some(d),
            to: Some(f * BLOCK_DAYS),
        });
    }
    if let (Some(d), Some(t)) = (days.to, to)
        && t * BLOCK_DAYS < d
    {
        rest.push(Span {
            from: Some(t * BLOCK_DAYS),
            to: Some(d),
        });
    }
    (Some(Span { from, to }), rest)
}

/// The bucket local days are summed from, over these offset segments: UTC days for UTC,
/// hours when every offset and change is on the hour, quarters when they are on a quarter,
/// else `None`.
pub fn day_unit(segments: &[OffsetSegment]) -> Option<i64> {
    [DAY_MICROS, HOUR_MICROS, QUARTER_MICROS]
        .into_iter()
        .find(|unit| {
            segments.iter().all(|s| {
                (i64::from(s.offset_secs) * 1_000_000) % unit == 0
                    && s.start_micros.rem_euclid(*unit) == 0
                    && s.end_micros.rem_euclid(*unit) == 0
            })
        })
}

/// The days since 1970-01-01 as a date.
pub fn date_of_day(day: i64) -> String {
    let date = jiff::civil::Date::new(1970, 1, 1)
        .ok()
        .and_then(|epoch| epoch.checked_add(jiff::Span::new().days(day)).ok());
    match date {
        Some(d) => d.to_string(),
        None => format!("day {day}"),
    }
}

/// The instant `micros` after 1970-01-01T00:00Z (clamped to the latest one representable).
pub fn instant(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_splits_into_whole_days_and_raw_edges() {
        let s = split(
            Some(ts("2026-03-01T05:00:00Z")),
            Some(ts("2026-03-04T05:00:00Z")),
            DAY_MICROS,
        );
        let day = |d: &str| ts(d).as_microsecond() / DAY_MICROS;
        assert_eq!(
            s.whole,
            Some(Span {
                from: Some(day("2026-03-02T00:00:00Z")),
                to: Some(day("2026-03-04T00:00:00Z")),
            })
        );
        assert_eq!(
            s.raw,
            vec![
                (ts("2026-03-01T05:00:00Z"), ts("2026-03-02T00:00:00Z")),
                (ts("2026-03-04T00:00:00Z"), ts("2026-03-04T05:00:00Z")),
            ]
        );
    }

    #[test]
    fn aligned_and_open_ranges_have_no_raw_edges() {
        let s = split(Some(ts("2026-03-02T00:00:00Z")), None, DAY_MICROS);
        assert!(s.raw.is_empty());
        assert_eq!(s.whole.unwrap().to, None);
        assert_eq!(
            split(None, None, HOUR_MICROS).whole,
            Some(Span {
                from: None,
                to: None
            })
        );
    }

    #[test]
    fn a_range_inside_one_bucket_is_read_raw() {
        let (a, b) = (ts("2026-03-02T01:00:00Z"), ts("2026-03-02T02:30:00Z"));
        assert_eq!(
            split(Some(a), Some(b), DAY_MICROS),
            Split {
                whole: None,
                raw: vec![(a, b)]
            }
        );
        // Exactly one bucket wide but not aligned: still no whole bucket.
        let (a, b) = (ts("2026-03-02T01:00:00Z"), ts("2026-03-03T01:00:00Z"));
        let s = split(Some(a), Some(b), DAY_MICROS);
        assert_eq!(s.whole, None);
        assert_eq!(s.raw, vec![(a, b)]);
    }

    #[test]
    fn days_split_into_blocks_and_remainders() {
        let (b, rest) = blocks(Span {
            from: Some(30),
            to: Some(100),
        });
        assert_eq!(
            b,
            Some(Span {
                from: Some(1),
                to: Some(3)
            })
        );
        assert_eq!(
            rest,
            vec![
                Span {
                    from: Some(30),
                    to: Some(32)
                },
                Span {
                    from: Some(96),
                    to: Some(100)
                }
            ]
        );
        let (b, rest) = blocks(Span {
            from: Some(33),
            to: Some(40),
        });
        assert_eq!(b, None);
        assert_eq!(
            rest,
            vec![Span {
                from: Some(33),
                to: Some(40)
            }]
        );
        let (b, rest) = blocks(Span {
            from: None,
            to: None,
        });
        assert_eq!(
            b,
            Some(Span {
                from: None,
                to: None
            })
        );
        assert!(rest.is_empty());
    }

    #[test]
    fn zones_sum_days_from_hours_or_quarters() {
        let seg = |offset_secs, start: &str, end: &str| OffsetSegment {
            start_micros: ts(start).as_microsecond(),
            end_micros: ts(end).as_microsecond(),
            offset_secs,
        };
        let new_york = [
            seg(-5 * 3600, "2026-01-01T00:00:00Z", "2026-03-08T07:00:00Z"),
            seg(-4 * 3600, "2026-03-08T07:00:00Z", "2026-04-01T00:00:00Z"),
        ];
        assert_eq!(day_unit(&new_york), Some(HOUR_MICROS));
        let utc = [seg(0, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")];
        assert_eq!(day_unit(&utc), Some(DAY_MICROS));
        let kolkata = [seg(19_800, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")];
        assert_eq!(day_unit(&kolkata), Some(QUARTER_MICROS));
        let kathmandu = [seg(20_700, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")];
        assert_eq!(day_unit(&kathmandu), Some(QUARTER_MICROS));
        let odd = [seg(-17_762, "1883-01-01T00:00:00Z", "1883-11-18T17:00:00Z")];
        assert_eq!(day_unit(&odd), None);
    }

    #[test]
    fn days_are_dates() {
        assert_eq!(date_of_day(0), "1970-01-01");
        assert_eq!(
            date_of_day(ts("2026-12-04T10:00:00Z").as_microsecond() / DAY_MICROS),
            "2026-12-04"
        );
    }
}
