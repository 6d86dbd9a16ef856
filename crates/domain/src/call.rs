//! A call's business status, lead score and source, with the ordering that keeps status
//! updates monotonic when webhooks arrive late, twice or out of order, and the spelling of
//! its event type.

use crate::vocab::text_vocabulary;
use serde::{Deserialize, Serialize};

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

text_vocabulary!(CallStatus, "call_status", {
    Ringing => "ringing",
    InProgress => "in-progress",
    Completed => "completed",
    Busy => "busy",
    NoAnswer => "no-answer",
    Failed => "failed",
    Canceled => "canceled",
    Voicemail => "voicemail",
});

impl CallStatus {
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

/// `lead_score`: how promising a caller is (`hot` by default, as in the seed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadScore {
    #[default]
    Hot,
    Warm,
    Cold,
}

text_vocabulary!(LeadScore, "lead_score", {
    Hot => "hot",
    Warm => "warm",
    Cold => "cold",
});

/// `source`: which path created a call row. Only calls Twilio told us about (`twilio`) get a
/// follow-up text; `api` calls were logged by a person or service, `demo` ones by the seed,
/// `fallback` ones were found afterwards in Twilio's call log (the service was down, Twilio
/// used the number's static fallback TwiML; see `voice::reconciled`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallSource {
    Api,
    Twilio,
    Demo,
    Fallback,
}

text_vocabulary!(CallSource, "source", {
    Api => "api",
    Twilio => "twilio",
    Demo => "demo",
    Fallback => "fallback",
});

/// Longest `event_type` label accepted, in characters.
pub const EVENT_TYPE_MAX_CHARS: usize = 50;

/// The one spelling of an `event_type` label (`wedding`, `corporate`): analytics group calls by
/// the exact stored label, so `Wedding` and `wedding` must be stored alike.
pub fn normalize_event_type(label: &str) -> String {
    label.to_lowercase()
}

/// The only product this service serves; the seed keeps the column for a shared database.
pub const PRODUCT_CONTEXT: &str = "djdash";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in CallStatus::ALL {
            assert_eq!(CallStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(CallStatus::parse("answered"), None);
    }

    #[test]
    fn every_vocabulary_round_trips_through_its_stored_string() {
        for s in LeadScore::ALL {
            assert_eq!(LeadScore::try_from(s.as_str().to_string()), Ok(*s));
        }
        for s in CallSource::ALL {
            assert_eq!(CallSource::try_from(s.as_str().to_string()), Ok(*s));
        }
        assert_eq!(
            CallSource::try_from("TWILIO".to_string()),
            Err(crate::vocab::UnknownValue {
                vocabulary: "source",
                value: "TWILIO".into()
            })
        );
    }

    #[test]
    fn the_json_form_is_the_stored_form() {
        fn json<T: Serialize>(value: T) -> String {
            serde_json::to_string(&value).unwrap_or_default()
        }
        for s in CallStatus::ALL {
            assert_eq!(json(s), format!("\"{s}\""));
        }
        for s in LeadScore::ALL {
            assert_eq!(json(s), format!("\"{s}\""));
        }
        for s in CallSource::ALL {
            assert_eq!(json(s), format!("\"{s}\""));
        }
    }

    #[test]
    fn event_types_are_stored_in_lower_case() {
        assert_eq!(normalize_event_type("Wedding"), "wedding");
        assert_eq!(normalize_event_type("corporate"), "corporate");
    }
}
