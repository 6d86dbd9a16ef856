//! Which widget click a call is attributed to, and how sure that link is (SPEC §7).
//!
//! The rule, applied once when an incoming call first creates its row, with `at` = the time
//! the call's first webhook arrived (server timestamps on both sides, so browser clocks never
//! matter):
//!
//! - candidates are the same DJ's clicks in `[at − LOW_WINDOW, at]`; the link goes to the most
//!   recent one;
//! - [`Confidence::High`] when that click is at most [`HIGH_WINDOW`] old and no *other
//!   visitor* clicked that DJ's widget in that window (the same visitor clicking twice does not
//!   compete with itself);
//! - [`Confidence::Low`] when several visitors clicked within [`HIGH_WINDOW`], or the newest
//!   click is between [`HIGH_WINDOW`] and [`LOW_WINDOW`] old;
//! - no click in [`LOW_WINDOW`] → no attribution.
//!
//! One click may be linked to more than one call (a visitor who calls back); a call is never
//! re-attributed later. The store fetches the candidates and stores the outcome.

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

/// A click this recent, alone in its window, is a confident match.
pub const HIGH_WINDOW: SignedDuration = SignedDuration::from_mins(10);
/// Older clicks than this are never linked to a call.
pub const LOW_WINDOW: SignedDuration = SignedDuration::from_mins(30);

/// How sure a link from a call to a click is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    High,
    Low,
}

impl Confidence {
    /// The `confidence` value stored in the call's attribution JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Low => "low",
        }
    }
}

/// What the rule needs to know about a candidate click.
pub trait CandidateClick {
    fn click_id(&self) -> Uuid;
    fn clicked_at(&self) -> Timestamp;
    fn visitor_id(&self) -> Option<&str>;
}

/// The earliest click time that can still be linked to a call at `at` (the start of the
/// window the candidates are fetched from).
pub fn earliest_candidate(at: Timestamp) -> Timestamp {
    at.saturating_sub(LOW_WINDOW).unwrap_or(at)
}

/// The rule of the module docs over `clicks` (one DJ's, any order): the click a call at `at`
/// is linked to and the confidence, or `None` when no click qualifies.
pub fn attribute<C: CandidateClick>(clicks: &[C], at: Timestamp) -> Option<(&C, Confidence)> {
    let age = |c: &C| at.duration_since(c.clicked_at());
    let newest = clicks
        .iter()
        .filter(|c| age(c) >= SignedDuration::ZERO && age(c) <= LOW_WINDOW)
        .max_by_key(|c| (c.clicked_at(), c.click_id()))?;
    if age(newest) > HIGH_WINDOW {
        return Some((newest, Confidence::Low));
    }
    let competing = clicks.iter().any(|c| {
        c.click_id() != newest.click_id()
            && age(c) >= SignedDuration::ZERO
            && age(c) <= HIGH_WINDOW
            && (c.visitor_id().is_none() || c.visitor_id() != newest.visitor_id())
    });
    let confidence = if competing {
        Confidence::Low
    } else {
        Confidence::High
    };
    Some((newest, confidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct Click {
        id: Uuid,
        at: Timestamp,
        visitor: Option<String>,
    }

    impl CandidateClick for Click {
        fn click_id(&self) -> Uuid {
            self.id
        }
        fn clicked_at(&self) -> Timestamp {
            self.at
        }
        fn visitor_id(&self) -> Option<&str> {
            self.visitor.as_deref()
        }
    }

    fn call_time() -> Timestamp {
        "2026-06-15T12:00:00Z".parse().unwrap_or_default()
    }

    fn click(mins_before: i64, visitor: &str) -> Click {
        Click {
            id: Uuid::now_v7(),
            at: call_time()
                .saturating_sub(SignedDuration::from_mins(mins_before))
                .unwrap_or(call_time()),
            visitor: Some(visitor.into()),
        }
    }

    fn confidence(clicks: &[Click]) -> Option<(Uuid, Confidence)> {
        attribute(clicks, call_time()).map(|(c, conf)| (c.id, conf))
    }

    #[test]
    fn a_lone_recent_click_is_high() {
        let c = click(3, "v1");
        assert_eq!(
            confidence(std::slice::from_ref(&c)),
            Some((c.id, Confidence::High))
        );
    }

    #[test]
    fn the_same_visitor_does_not_compete_with_itself() {
        let newer = click(2, "v1");
        let older = click(6, "v1");
        assert_eq!(
            confidence(&[newer.clone(), older]),
            Some((newer.id, Confidence::High))
        );
    }

    #[test]
    fn competing_visitors_or_an_old_click_are_low() {
        let newer = click(2, "v1");
        let other = click(6, "v2");
        assert_eq!(
            confidence(&[newer.clone(), other]),
            Some((newer.id, Confidence::Low))
        );
        let old = click(20, "v1");
        assert_eq!(
            confidence(std::slice::from_ref(&old)),
            Some((old.id, Confidence::Low))
        );
        // A competitor outside the 10-minute window does not lower a recent click.
        let recent = click(1, "v1");
        assert_eq!(
            confidence(&[recent.clone(), click(25, "v2")]),
            Some((recent.id, Confidence::High))
        );
    }

    #[test]
    fn an_anonymous_click_always_competes() {
        let newer = click(2, "v1");
        let anonymous = Click {
            visitor: None,
            ..click(4, "")
        };
        assert_eq!(
            confidence(&[newer.clone(), anonymous]),
            Some((newer.id, Confidence::Low))
        );
    }

    #[test]
    fn nothing_older_than_thirty_minutes_or_after_the_call() {
        assert_eq!(confidence(&[click(31, "v1")]), None);
        assert_eq!(confidence(&[click(-1, "v1")]), None);
        assert_eq!(confidence(&[]), None);
        assert_eq!(
            earliest_candidate(call_time()),
            "2026-06-15T11:30:00Z".parse().unwrap_or_default()
        );
    }
}
