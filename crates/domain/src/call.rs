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

    /// How far along a call is: ringing, then in progress, then an unanswered outcome, then the
    /// outcomes that a later webhook can establish on top of it (answered and bridged, or a
    /// voicemail left after no answer). The voice fold's status never falls in this order
    /// (property-tested in `voice.rs`).
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

    #[test]
    fn names_round_trip() {
        for s in CallStatus::ALL {
            assert_eq!(CallStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CallStatus::parse("answered"), None);
    }
}
