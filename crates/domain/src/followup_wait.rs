//! How long a follow-up waits for the call's insights (SPEC §13: the text goes in the language
//! of the call's insights): a short, bounded time after the job was first due, polled, and never
//! into quiet hours (SPEC §8) — a wait that would end in quiet hours sends now instead.

use crate::followup::next_allowed_instant;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// The longest a follow-up waits for insights, from when its job was enqueued.
pub const INSIGHTS_WAIT: SignedDuration = SignedDuration::from_secs(120);
/// How often it looks again meanwhile.
pub const INSIGHTS_POLL: SignedDuration = SignedDuration::from_secs(20);

/// When to look for the insights again, or `None` to send now (in English).
pub fn next_look_for_insights(
    now: Timestamp,
    enqueued_at: Timestamp,
    tz: &TimeZone,
    quiet: (u8, u8),
) -> Option<Timestamp> {
    let deadline = enqueued_at.checked_add(INSIGHTS_WAIT).ok()?;
    if now >= deadline {
        return None;
    }
    let next = now.checked_add(INSIGHTS_POLL).ok()?.min(deadline);
    (next_allowed_instant(next, tz, quiet) == next).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn waits_in_steps_up_to_two_minutes() {
        let utc = TimeZone::UTC;
        let start = at("2026-06-16T15:00:00Z");
        assert_eq!(
            next_look_for_insights(start, start, &utc, (21, 8)),
            Some(at("2026-06-16T15:00:20Z"))
        );
        assert_eq!(
            next_look_for_insights(at("2026-06-16T15:01:50Z"), start, &utc, (21, 8)),
            Some(at("2026-06-16T15:02:00Z")),
            "the last look is at the deadline"
        );
        assert_eq!(
            next_look_for_insights(at("2026-06-16T15:02:00Z"), start, &utc, (21, 8)),
            None
        );
    }

    #[test]
    fn never_waits_into_quiet_hours() {
        let ny = TimeZone::get("America/New_York").unwrap();
        // 20:59:50 in New York (EDT): 20 s later is quiet, so it sends now.
        let now = at("2026-06-17T00:59:50Z");
        assert_eq!(next_look_for_insights(now, now, &ny, (21, 8)), None);
        // 20:58: a look at 20:58:20 is fine.
        let now = at("2026-06-17T00:58:00Z");
        assert_eq!(
            next_look_for_insights(now, now, &ny, (21, 8)),
            Some(at("2026-06-17T00:58:20Z"))
        );
    }
}
