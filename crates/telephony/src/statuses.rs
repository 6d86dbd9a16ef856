//! Twilio's status vocabularies (call, dial, message, recording, transcription) as enums that
//! never fail to parse: an unknown value becomes `Other`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept as Twilio sent it.
            Other(String),
        }

        impl $name {
            /// Case-insensitive; unknown values are kept in `Other` rather than refused.
            pub fn parse(raw: &str) -> Self {
                match raw.trim().to_ascii_lowercase().as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Other(raw.to_owned()),
                }
            }

            /// The wire form (`"no-answer"`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(raw) => raw,
                }
            }
        }

        impl From<String> for $name {
            fn from(raw: String) -> Self {
                Self::parse(&raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(|raw| Self::parse(&raw))
            }
        }
    };
}

status_enum!(
    /// `CallStatus` of a call leg.
    TwilioCallStatus {
        Queued => "queued",
        Ringing => "ringing",
        InProgress => "in-progress",
        Completed => "completed",
        Busy => "busy",
        Failed => "failed",
        NoAnswer => "no-answer",
        Canceled => "canceled",
    }
);

status_enum!(
    /// `DialCallStatus` posted to `<Dial action>`.
    DialCallStatus {
        Completed => "completed",
        Answered => "answered",
        Busy => "busy",
        NoAnswer => "no-answer",
        Failed => "failed",
        Canceled => "canceled",
    }
);

status_enum!(
    /// `MessageStatus` of an SMS/MMS.
    MessageStatus {
        Accepted => "accepted",
        Scheduled => "scheduled",
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Delivered => "delivered",
        Undelivered => "undelivered",
        Failed => "failed",
        Receiving => "receiving",
        Received => "received",
        Read => "read",
        Canceled => "canceled",
    }
);

status_enum!(
    /// `RecordingStatus` of a recording status callback.
    RecordingStatus {
        InProgress => "in-progress",
        Completed => "completed",
        Absent => "absent",
        Failed => "failed",
    }
);

status_enum!(
    /// `TranscriptionStatus` of a transcription callback.
    TranscriptionStatus {
        Completed => "completed",
        Failed => "failed",
    }
);

// Which call and dial statuses are final or answered is a rule of the call flow: it lives on
// the domain types these map to (`crate::events`), `LegStatus::has_ended` and
// `DialOutcome::picked_up`.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_in_any_case_and_print_back_in_wire_form() {
        assert_eq!(
            TwilioCallStatus::parse("No-Answer"),
            TwilioCallStatus::NoAnswer
        );
        assert_eq!(TwilioCallStatus::NoAnswer.as_str(), "no-answer");
        assert_eq!(DialCallStatus::parse("answered"), DialCallStatus::Answered);
        assert_eq!(MessageStatus::parse("delivered"), MessageStatus::Delivered);
        assert_eq!(RecordingStatus::parse("absent"), RecordingStatus::Absent);
    }

    #[test]
    fn unknown_values_are_kept_instead_of_failing() {
        let status = MessageStatus::parse("partially_delivered");
        assert_eq!(status, MessageStatus::Other("partially_delivered".into()));
        assert_eq!(status.as_str(), "partially_delivered");
    }

    #[test]
    fn final_and_answered_classifications() {
        use djcalls_domain::voice::{DialOutcome, LegStatus};
        assert!(LegStatus::from(&TwilioCallStatus::Completed).has_ended());
        assert!(!LegStatus::from(&TwilioCallStatus::Ringing).has_ended());
        assert!(DialOutcome::from(&DialCallStatus::Completed).picked_up());
        assert!(!DialOutcome::from(&DialCallStatus::NoAnswer).picked_up());
    }
}
