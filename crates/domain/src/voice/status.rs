//! The statuses a voice event carries — the caller's leg, the forwarded dial, the voicemail's
//! transcription — with the ranks the fold keeps the best of. Each is stored (inside the
//! `call_events` JSON, and the transcription's in `dj_calls`) as the exact string it was
//! recorded with, so a value this version does not know is kept as `Other` and ranks lowest.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A status enum stored as one of a fixed set of strings, anything else kept verbatim.
/// Matching is exact: stored rows hold exactly what was written, and that is what they fold to.
macro_rules! stored_status {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $stored:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept as recorded.
            Other(String),
        }

        impl $name {
            /// The stored form (`"no-answer"`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $stored,)+
                    Self::Other(raw) => raw,
                }
            }

            /// The value a stored string stands for (exact match; unknown → `Other`).
            pub fn from_stored(raw: &str) -> Self {
                match raw {
                    $($stored => Self::$variant,)+
                    _ => Self::Other(raw.to_owned()),
                }
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
                String::deserialize(d).map(|raw| Self::from_stored(&raw))
            }
        }
    };
}

stored_status!(
    /// How far the caller's leg has got (the number's status callback).
    LegStatus {
        Queued => "queued",
        Initiated => "initiated",
        Ringing => "ringing",
        InProgress => "in-progress",
        Answered => "answered",
        Completed => "completed",
        Busy => "busy",
        Failed => "failed",
        NoAnswer => "no-answer",
        Canceled => "canceled",
    }
);

stored_status!(
    /// How forwarding the call to the DJ ended.
    DialOutcome {
        Completed => "completed",
        Answered => "answered",
        Busy => "busy",
        NoAnswer => "no-answer",
        Failed => "failed",
        Canceled => "canceled",
    }
);

stored_status!(
    /// Whether the voicemail's transcription worked.
    TranscriptionOutcome {
        Completed => "completed",
        Failed => "failed",
    }
);

/// The rank at which a leg has ended.
const LEG_ENDED: u8 = 3;
/// The rank of a dial the DJ picked up.
const DIAL_PICKED_UP: u8 = 3;

impl LegStatus {
    /// Queued, then ringing, then up, then over: a later report never moves a leg back.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Queued | Self::Initiated | Self::Other(_) => 0,
            Self::Ringing => 1,
            Self::InProgress | Self::Answered => 2,
            Self::Completed | Self::Busy | Self::Failed | Self::NoAnswer | Self::Canceled => {
                LEG_ENDED
            }
        }
    }

    /// The leg is over; no later status can follow.
    pub fn has_ended(&self) -> bool {
        self.rank() == LEG_ENDED
    }
}

impl DialOutcome {
    /// Worst to best, so a repeated or conflicting report keeps the best one.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Completed | Self::Answered => DIAL_PICKED_UP,
            Self::Busy | Self::NoAnswer | Self::Failed | Self::Canceled => 2,
            Self::Other(_) => 0,
        }
    }

    /// The DJ's phone picked up (whether the legs were bridged is a separate fact).
    pub fn picked_up(&self) -> bool {
        self.rank() == DIAL_PICKED_UP
    }
}

impl TranscriptionOutcome {
    pub fn is_completed(&self) -> bool {
        *self == Self::Completed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_strings_round_trip_and_unknown_ones_are_kept_verbatim() {
        for raw in ["no-answer", "in-progress", "Answered", "weird"] {
            assert_eq!(LegStatus::from_stored(raw).as_str(), raw);
            assert_eq!(DialOutcome::from_stored(raw).as_str(), raw);
        }
        assert_eq!(
            LegStatus::from_stored("Answered"),
            LegStatus::Other("Answered".into())
        );
    }

    #[test]
    fn ranks_order_legs_and_dials() {
        assert!(LegStatus::Ringing.rank() > LegStatus::Initiated.rank());
        assert!(LegStatus::Answered.rank() > LegStatus::Ringing.rank());
        assert!(LegStatus::Canceled.has_ended());
        assert!(!LegStatus::Other("x".into()).has_ended());
        assert!(DialOutcome::Answered.picked_up());
        assert!(DialOutcome::NoAnswer.rank() > DialOutcome::Other("x".into()).rank());
        assert!(!DialOutcome::Busy.picked_up());
    }
}
