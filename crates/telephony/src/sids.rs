//! Typed Twilio SIDs (`CA…`, `SM…`, `PN…`, `RE…`): two-letter prefix plus 32 hex digits,
//! checked before a SID is ever put into a REST path.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Length of the hex part of every Twilio SID.
const SID_HEX_LEN: usize = 32;

fn is_sid(raw: &str, prefixes: &[&str]) -> bool {
    raw.len() == 2 + SID_HEX_LEN
        && prefixes.iter().any(|p| raw.starts_with(p))
        && raw[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `prefix` + 32 lowercase hex digits from a fresh v4 UUID.
fn random_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, [$($prefix:literal),+]) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The accepted prefixes; the first is the one generated SIDs use.
            pub const PREFIXES: &'static [&'static str] = &[$($prefix),+];

            /// Accepts only a well-formed SID of this kind.
            pub fn parse(raw: &str) -> Option<Self> {
                is_sid(raw, Self::PREFIXES).then(|| Self(raw.to_owned()))
            }

            /// A fresh random SID of this kind (simulator and tests).
            pub fn generate() -> Self {
                Self(random_sid(Self::PREFIXES[0]))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(concat!("not a valid ", stringify!($name)))
                })
            }
        }
    };
}

sid_type!(
    /// A call (`CA…`).
    CallSid,
    ["CA"]
);
sid_type!(
    /// An SMS or MMS message (`SM…`, `MM…`).
    MessageSid,
    ["SM", "MM"]
);
sid_type!(
    /// A phone number owned by the account (`PN…`).
    NumberSid,
    ["PN"]
);
sid_type!(
    /// A call recording (`RE…`).
    RecordingSid,
    ["RE"]
);
sid_type!(
    /// An account (`AC…`).
    AccountSid,
    ["AC"]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_sid_parses_back_as_the_same_kind() {
        let sid = CallSid::generate();
        assert_eq!(sid.as_str().len(), 34);
        assert!(sid.as_str().starts_with("CA"));
        assert_eq!(CallSid::parse(sid.as_str()), Some(sid));
    }

    #[test]
    fn sids_with_the_wrong_prefix_length_or_characters_are_refused() {
        assert!(RecordingSid::parse("CA0123456789abcdef0123456789abcdef").is_none());
        assert!(RecordingSid::parse("RE0123").is_none());
        assert!(RecordingSid::parse("RE0123456789abcdef0123456789abcdeg").is_none());
        assert!(RecordingSid::parse("RE../../Accounts/x/Messages.json00").is_none());
        assert!(MessageSid::parse("MM0123456789abcdef0123456789abcdef").is_some());
    }
}
