//! Date ranges from query strings (`start_date`, `end_date`, `tz`), read in an IANA zone, and
//! the zone's UTC-offset segments that let a database without time-zone support bucket by day.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A half-open interval `[start, end)` of instants; `None` is unbounded.
#[derive(Clone, Debug)]
pub struct DateRange {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub tz: TimeZone,
    pub tz_name: String,
}

/// What was wrong, and with which query field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct RangeError {
    pub field: &'static str,
    pub message: &'static str,
}

impl DateRange {
    /// Reads the three query fields. A date-only `end_date` includes that whole day; an
    /// RFC 3339 `end_date` includes that instant.
    pub fn parse(
        start_date: Option<&str>,
        end_date: Option<&str>,
        tz: Option<&str>,
    ) -> Result<DateRange, RangeError> {
        let tz_name = tz.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("UTC");
        let zone = TimeZone::get(tz_name).map_err(|_| RangeError {
            field: "tz",
            message: "must be an IANA time zone name such as America/New_York",
        })?;
        let start = match start_date.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(parse_bound(raw, &zone, Edge::Start).ok_or(RangeError {
                field: "start_date",
                message: "must be an RFC 3339 timestamp or a YYYY-MM-DD date",
            })?),
        };
        let end = match end_date.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(parse_bound(raw, &zone, Edge::End).ok_or(RangeError {
                field: "end_date",
                message: "must be an RFC 3339 timestamp or a YYYY-MM-DD date",
            })?),
        };
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            return Err(RangeError {
                field: "end_date",
                message: "must not be before start_date",
            });
        }
        Ok(DateRange {
            start,
            end,
            tz: zone,
            tz_name: tz_name.to_string(),
        })
    }

    /// The last `days` days up to `now`, as the dashboards' `7d`/`30d`/`90d` mean it: whole
    /// local days, today included.
    pub fn last_days(days: i64, now: Timestamp, tz: TimeZone, tz_name: &str) -> DateRange {
        let today = now.to_zoned_datetime(tz.clone()).date();
        let first = today.checked_sub((days - 1).max(0).days()).unwrap_or(today);
        DateRange {
            start: day_start(first, &tz),
            end: today.tomorrow().ok().and_then(|d| day_start(d, &tz)),
            tz,
            tz_name: tz_name.to_string(),
        }
    }

    pub fn unbounded(tz: TimeZone, tz_name: &str) -> DateRange {
        DateRange {
            start: None,
            end: None,
            tz,
            tz_name: tz_name.to_string(),
        }
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t < e)
    }
}

enum Edge {
    Start,
    End,
}

fn parse_bound(raw: &str, zone: &TimeZone, edge: Edge) -> Option<Timestamp> {
    if let Ok(ts) = raw.parse::<Timestamp>() {
        return Some(match edge {
            Edge::Start => ts,
            // Inclusive instant → exclusive bound one microsecond later (storage precision).
            Edge::End => ts.checked_add(1.microsecond()).ok()?,
        });
    }
    if raw.len() != 10 {
        return None;
    }
    let date: Date = raw.parse().ok()?;
    match edge {
        Edge::Start => day_start(date, zone),
        Edge::End => day_start(date.tomorrow().ok()?, zone),
    }
}

/// The first instant of a local day (midnight, or the first valid time on a DST-gap day).
pub fn day_start(date: Date, zone: &TimeZone) -> Option<Timestamp> {
    date.to_zoned_datetime(zone.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// One stretch of time with a constant UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetSegment {
    pub start_micros: i64,
    pub end_micros: i64,
    pub offset_secs: i32,
}

/// The offset segments of `zone` covering `[start, end)`. A local day is then
/// `floor((t + offset) / 86400 s)` within each segment: two segments a year for a zone with DST.
pub fn offset_segments(zone: &TimeZone, start: Timestamp, end: Timestamp) -> Vec<OffsetSegment> {
    let mut segments = Vec::new();
    let mut cursor = start;
    while cursor < end {
        let offset = zone.to_offset(cursor).seconds();
        let next = zone
            .following(cursor)
            .next()
            .map(|t| t.timestamp())
            .filter(|t| *t < end)
            .unwrap_or(end);
        segments.push(OffsetSegment {
            start_micros: cursor.as_microsecond(),
            end_micros: next.as_microsecond(),
            offset_secs: offset,
        });
        if next <= cursor {
            break;
        }
        cursor = next;
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_date_only_end_includes_the_whole_day_in_the_zone() {
        let r = DateRange::parse(
            Some("2026-03-01"),
            Some("2026-03-01"),
            Some("America/Chicago"),
        )
        .unwrap();
        assert_eq!(r.start, Some(ts("2026-03-01T06:00:00Z")));
        assert_eq!(r.end, Some(ts("2026-03-02T06:00:00Z")));
        assert!(r.contains(ts("2026-03-02T05:59:59Z")));
        assert!(!r.contains(ts("2026-03-02T06:00:00Z")));
    }

    #[test]
    fn an_rfc3339_end_includes_that_instant() {
        let r = DateRange::parse(None, Some("2026-03-01T12:00:00Z"), None).unwrap();
        assert!(r.contains(ts("2026-03-01T12:00:00Z")));
        assert!(!r.contains(ts("2026-03-01T12:00:00.000001Z")));
    }

    #[test]
    fn bad_fields_are_named() {
        let e = DateRange::parse(Some("yesterday"), None, None).unwrap_err();
        assert_eq!(e.field, "start_date");
        let e = DateRange::parse(None, Some("2026-13-01"), None).unwrap_err();
        assert_eq!(e.field, "end_date");
        let e = DateRange::parse(None, None, Some("Mars/Olympus")).unwrap_err();
        assert_eq!(e.field, "tz");
        let e = DateRange::parse(Some("2026-03-02"), Some("2026-03-01"), None).unwrap_err();
        assert_eq!(e.field, "end_date");
    }

    #[test]
    fn dst_splits_a_range_into_offset_segments() {
        let zone = TimeZone::get("America/New_York").unwrap();
        let segs = offset_segments(
            &zone,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        );
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].offset_secs, -5 * 3600);
        assert_eq!(segs[1].offset_secs, -4 * 3600);
        assert_eq!(segs[0].end_micros, segs[1].start_micros);
        assert_eq!(
            segs[0].end_micros,
            ts("2026-03-08T07:00:00Z").as_microsecond()
        );
    }

    #[test]
    fn last_days_are_whole_local_days_including_today() {
        let zone = TimeZone::get("UTC").unwrap();
        let r = DateRange::last_days(7, ts("2026-11-24T15:00:00Z"), zone, "UTC");
        assert_eq!(r.start, Some(ts("2026-11-18T00:00:00Z")));
        assert_eq!(r.end, Some(ts("2026-11-25T00:00:00Z")));
    }
}
