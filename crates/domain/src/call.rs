//! A call's business status and lead score, with the ordering that keeps status updates
//! monotonic when webhooks arrive late, twice or out of order.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `call_status` as the API and the database carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
    Voicemail,
}

impl CallStatus {
    pub const ALL: [CallStatus; 8] = [
        CallStatus::Ringing,
        CallStatus::InProgress,
        CallStatus::Completed,
        CallStatus::Busy,
        CallStatus::NoAnswer,
        CallStatus::Failed,
        CallStatus::Canceled,
        CallStatus::Voicemail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "in-progress",
            CallStatus::Completed => "completed",
            CallStatus::Busy => "busy",
            CallStatus::NoAnswer => "no-answer",
            CallStatus::Failed => "failed",
            CallStatus::Canceled => "canceled",
            CallStatus::Voicemail => "voicemail",
        }
    }

    pub fn parse(s: &str) -> Option<CallStatus> {
        CallStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How far along a call is. A status only ever moves to a higher rank: ringing, then
    /// in progress, then an unanswered outcome, then the outcomes that a later webhook can
    /// establish on top of it (answered and bridged, or a voicemail left after no answer).
    pub fn rank(self) -> u8 {
        match self {
            CallStatus::Ringing => 0,
            CallStatus::InProgress => 1,
            CallStatus::Busy | CallStatus::NoAnswer | CallStatus::Failed | CallStatus::Canceled => {
                2
            }
            CallStatus::Completed | CallStatus::Voicemail => 3,
        }
    }

    /// The status after `incoming` arrives: the further-along one wins; on a tie the current
    /// one stays, so a repeated or reordered delivery never changes the outcome.
    pub fn advance(self, incoming: CallStatus) -> CallStatus {
        if incoming.rank() > self.rank() {
            incoming
        } else {
            self
        }
    }

    pub fn is_final(self) -> bool {
        self.rank() >= 2
    }

    pub fn is_answered(self) -> bool {
        self == CallStatus::Completed
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `lead_score`: how promising a caller is (`hot` by default, as in the seed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadScore {
    #[default]
    Hot,
    Warm,
    Cold,
}

impl LeadScore {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadScore::Hot => "hot",
            LeadScore::Warm => "warm",
            LeadScore::Cold => "cold",
        }
    }

    pub fn parse(s: &str) -> Option<LeadScore> {
        match s {
            "hot" => Some(LeadScore::Hot),
            "warm" => Some(LeadScore::Warm),
            "cold" => Some(LeadScore::Cold),
            _ => None,
        }
    }
}

/// The only product this service serves; the seed keeps the column for a shared database.
pub const PRODUCT_CONTEXT: &str = "djdash";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip() {
        for s in CallStatus::ALL {
            assert_eq!(CallStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CallStatus::parse("answered"), None);
    }

    #[test]
    fn a_late_ringing_never_undoes_a_completed_call() {
        assert_eq!(
            CallStatus::Completed.advance(CallStatus::Ringing),
            CallStatus::Completed
        );
        assert_eq!(
            CallStatus::NoAnswer.advance(CallStatus::Voicemail),
            CallStatus::Voicemail
        );
        assert_eq!(
            CallStatus::Voicemail.advance(CallStatus::NoAnswer),
            CallStatus::Voicemail
        );
    }

    proptest! {
        // Whatever order the same set of updates arrives in, the rank of the final status is the
        // highest rank among them, and the status never moves to a lower rank on the way.
        #[test]
        fn status_only_moves_forward(updates in proptest::collection::vec(0usize..8, 1..20)) {
            let mut status = CallStatus::Ringing;
            for i in &updates {
                let next = status.advance(CallStatus::ALL[*i]);
                prop_assert!(next.rank() >= status.rank());
                status = next;
            }
            let top = updates.iter().map(|i| CallStatus::ALL[*i].rank()).max().unwrap_or(0);
            prop_assert_eq!(status.rank(), top);
        }
    }
}
