//! Rate limits as fixed windows: a key may be hit `max_hits` times in a window that starts at
//! its first hit and lasts `window`; further hits wait for the window's end. Fixed windows
//! (rather than a sliding log) because one upserted row per key is what a database shared by
//! several processes counts cheaply and atomically; at a window's edge a key can get up to
//! twice its quota, which is acceptable for a brake.
//!
//! Every attempt is counted *before* it is judged (the count includes it), so concurrent
//! attempts — in one process or in several — can never all slip under the limit together.

use jiff::{SignedDuration, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedWindow {
    pub max_hits: i64,
    pub window: SignedDuration,
}

/// Sign-in attempts that failed for one email from one client (one client guessing one
/// account's password): past it, that client's attempts on that email are not checked.
pub const SIGN_IN_FAILURES_PER_EMAIL_AND_CLIENT: FixedWindow = FixedWindow {
    max_hits: 5,
    window: SignedDuration::from_mins(15),
};
/// Sign-in attempts that failed for one email from anywhere (guessing spread over many
/// clients). Past it, a password is still checked but only the right one gets in — a wrong
/// one is answered as throttled — so nobody can lock the owner out by failing on purpose.
pub const SIGN_IN_FAILURES_PER_EMAIL: FixedWindow = FixedWindow {
    max_hits: 5,
    window: SignedDuration::from_mins(15),
};
/// Sign-in attempts that failed from one client (trying many accounts).
pub const SIGN_IN_FAILURES_PER_CLIENT: FixedWindow = FixedWindow {
    max_hits: 20,
    window: SignedDuration::from_mins(15),
};
/// Widget clicks from one client: a person clicking phone numbers.
pub const CLICKS_PER_CLIENT: FixedWindow = FixedWindow {
    max_hits: 20,
    window: SignedDuration::from_mins(1),
};

/// The longest window above: a counter whose window started longer ago than this is over
/// whatever its rule, and may be deleted.
pub const LONGEST_WINDOW: SignedDuration = SignedDuration::from_mins(15);

impl FixedWindow {
    /// Windows that started at or before this instant are over at `now`.
    pub fn ended_by(&self, now: Timestamp) -> Timestamp {
        now.checked_sub(self.window).unwrap_or(Timestamp::MIN)
    }

    /// Judges an attempt already counted: `hits` (this one included) in the window that
    /// started at `started`. `None`: go ahead; `Some(wait)`: refused until the window ends
    /// (at least a second, so a `Retry-After` is never 0).
    pub fn refusal(&self, hits: i64, started: Timestamp, now: Timestamp) -> Option<SignedDuration> {
        if hits <= self.max_hits {
            return None;
        }
        let ends = started.checked_add(self.window).unwrap_or(Timestamp::MAX);
        let left = now.duration_until(ends);
        Some(left.max(SignedDuration::from_secs(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hit_past_the_quota_waits_until_the_window_ends() {
        let rule = FixedWindow {
            max_hits: 2,
            window: SignedDuration::from_secs(60),
        };
        let start = Timestamp::from_second(1_000).unwrap();
        let now = Timestamp::from_second(1_045).unwrap();
        assert_eq!(rule.refusal(1, start, now), None);
        assert_eq!(rule.refusal(2, start, now), None, "the quota's last hit");
        assert_eq!(
            rule.refusal(3, start, now),
            Some(SignedDuration::from_secs(15))
        );
        let late = Timestamp::from_second(1_060).unwrap();
        assert_eq!(
            rule.refusal(5, start, late),
            Some(SignedDuration::from_secs(1))
        );
        assert!(
            rule.ended_by(late) >= start,
            "the window that began at start is over"
        );
        assert!(rule.ended_by(now) < start);
    }

    #[test]
    fn no_rule_outlasts_the_longest_window() {
        for rule in [
            SIGN_IN_FAILURES_PER_EMAIL_AND_CLIENT,
            SIGN_IN_FAILURES_PER_EMAIL,
            SIGN_IN_FAILURES_PER_CLIENT,
            CLICKS_PER_CLIENT,
        ] {
            assert!(rule.window <= LONGEST_WINDOW, "{rule:?}");
        }
    }
}
