//! Field types shared by the webhook payloads: caller addresses and private text whose `Debug`
//! never leaks, and lenient parsers for Twilio's stringly-typed numbers and booleans.

use djcalls_domain::PhoneNumber;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A `From`/`To`/`Caller` value exactly as Twilio sent it: usually E.164, but it can also be
/// `client:alice`, `sip:…` or an anonymous placeholder, so it is not a [`PhoneNumber`] yet.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Address(String);

impl Address {
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The phone number, when this address is one we could call or text back.
    pub fn phone_number(&self) -> Option<PhoneNumber> {
        PhoneNumber::parse(&self.0).ok()
    }

    /// What logs may carry.
    pub fn masked(&self) -> String {
        djcalls_domain::phone::mask(&self.0)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.masked())
    }
}

/// Text a person wrote or said (SMS bodies, transcripts, caller names): `Debug` shows only
/// its length, and card numbers, security codes and SSNs in it are `[redacted]` the moment
/// it is made (`djcalls_insights::redact`, SPEC §12) — when a webhook's form is parsed, so
/// before anything stores, spools, logs or sends it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PrivateText(String);

impl PrivateText {
    pub fn new(raw: impl Into<String>) -> Self {
        Self(djcalls_insights::redact(&raw.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for PrivateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateText({} chars)", self.0.chars().count())
    }
}

/// A count or a number of seconds sent as a string of digits; anything else becomes `None`
/// rather than failing the whole webhook.
pub(crate) fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let raw = Option::<String>::deserialize(d)?;
    Ok(raw.and_then(|s| s.trim().parse().ok()))
}

/// `"true"`/`"false"` in any case; anything else becomes `None`.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let raw = Option::<String>::deserialize(d)?;
    Ok(
        raw.and_then(|s| match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }),
    )
}

/// An empty value is as good as an absent one (Twilio sends `ForwardedFrom=` and the like).
pub(crate) fn non_empty<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    let raw = Option::<String>::deserialize(d)?;
    Ok(raw.filter(|s| !s.is_empty()).map(T::from))
}

impl From<String> for Address {
    fn from(raw: String) -> Self {
        Self(raw)
    }
}

impl From<String> for PrivateText {
    fn from(raw: String) -> Self {
        Self::new(raw)
    }
}

impl<'de> Deserialize<'de> for PrivateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_masks_addresses_and_hides_private_text() {
        let from = Address::new("+14155552671");
        assert_eq!(format!("{from:?}"), "Address(+1******2671)");
        let body = PrivateText::new("call me at home");
        assert_eq!(format!("{body:?}"), "PrivateText(15 chars)");
    }

    #[test]
    fn private_text_never_holds_a_card_number() {
        let said = "card 4111 1111 1111 1111, CVV 123";
        assert_eq!(
            PrivateText::new(said).as_str(),
            "card [redacted], CVV [redacted]"
        );
        let parsed: PrivateText =
            serde_json::from_value(serde_json::json!(said)).expect("a string is text");
        assert_eq!(parsed.as_str(), "card [redacted], CVV [redacted]");
    }

    #[test]
    fn only_real_phone_numbers_become_phone_numbers() {
        assert!(Address::new("+14155552671").phone_number().is_some());
        assert!(Address::new("client:alice").phone_number().is_none());
        assert!(Address::new("anonymous").phone_number().is_none());
    }
}
