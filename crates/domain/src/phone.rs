//! Phone numbers: accepted in E.164 or an unambiguous national format (US by default), always
//! kept and returned in E.164, and masked whenever they reach a log.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Raw numbers whose parse is remembered at most; then the memo is emptied and learns again.
const MEMO_CAPACITY: usize = 16_384;

/// A valid phone number in E.164 form (`+14155552671`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is empty")]
    Empty,
    #[error("is not a phone number")]
    Unparseable,
    #[error("is not a valid, dialable phone number")]
    Invalid,
}

impl PhoneNumber {
    /// Parses E.164 (`+44 20 8366 1177`) or a US national number (`(415) 555-2671`).
    ///
    /// Checking a number against the numbering plan runs a regular expression per number type
    /// (tens of microseconds, a tenth of a voice webhook's time), and the same numbers come
    /// back all the time — every call to a virtual number, every caller who calls again — so
    /// answers are remembered (the parse depends on nothing but the text).
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let raw = raw.trim();
        if let Some(known) = memo().get(raw) {
            return known.clone();
        }
        let parsed = Self::parse_against_the_plan(raw);
        let mut memo = memo();
        if memo.len() >= MEMO_CAPACITY {
            memo.clear();
        }
        memo.insert(raw.to_string(), parsed.clone());
        parsed
    }

    fn parse_against_the_plan(raw: &str) -> Result<Self, PhoneError> {
        if raw.is_empty() {
            return Err(PhoneError::Empty);
        }
        // Only digits, spaces and the usual separators; letters (vanity numbers, "anonymous",
        // "client:alice") are not numbers we can text or dial back.
        if !raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(PhoneError::Unparseable);
        }
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::US), raw)
            .map_err(|_| PhoneError::Unparseable)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid);
        }
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Ok(PhoneNumber(e164))
    }

    /// Trusts a value that is already E.164 (from our own database).
    pub fn from_trusted_e164(e164: impl Into<String>) -> Self {
        PhoneNumber(e164.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 3-digit area code of a North American number, for pool matching.
    pub fn nanp_area_code(&self) -> Option<&str> {
        self.0
            .strip_prefix("+1")
            .filter(|rest| rest.len() == 10)
            .map(|rest| &rest[..3])
    }

    /// `(415) 555-2671` for North American numbers, E.164 otherwise.
    pub fn display(&self) -> String {
        match self.0.strip_prefix("+1").filter(|rest| rest.len() == 10) {
            Some(d) => format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]),
            None => self.0.clone(),
        }
    }

    /// `+1******2671`: what logs may carry.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any phone-like string for logs: the first two and last four characters survive.
pub fn mask(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
}

/// Debug never prints the whole number, so a stray `{:?}` in a log cannot leak it.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        PhoneNumber::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The remembered parses, by trimmed raw text.
fn memo() -> std::sync::MutexGuard<'static, HashMap<String, Result<PhoneNumber, PhoneError>>> {
    static MEMO: OnceLock<Mutex<HashMap<String, Result<PhoneNumber, PhoneError>>>> =
        OnceLock::new();
    MEMO.get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn national_and_international_forms_become_e164() {
        for raw in [
            "(415) 555-2671",
            "415-555-2671",
            "4155552671",
            "+1 415 555 2671",
            "1-415-555-2671",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).unwrap().as_str(),
                "+14155552671",
                "{raw}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("+44 20 8366 1177").unwrap().as_str(),
            "+442083661177"
        );
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert_eq!(PhoneNumber::parse("  "), Err(PhoneError::Empty));
        assert_eq!(
            PhoneNumber::parse("anonymous"),
            Err(PhoneError::Unparseable)
        );
        assert_eq!(
            PhoneNumber::parse("client:alice"),
            Err(PhoneError::Unparseable)
        );
        assert!(PhoneNumber::parse("123").is_err());
        assert!(PhoneNumber::parse("+1 000 000 0000").is_err());
    }

    #[test]
    fn a_remembered_parse_answers_as_the_plan_does() {
        for raw in [
            "(415) 555-2671",
            "+1 000 000 0000",
            "anonymous",
            " +44 20 8366 1177 ",
        ] {
            let first = PhoneNumber::parse(raw);
            assert_eq!(PhoneNumber::parse(raw), first, "{raw}");
            assert_eq!(
                PhoneNumber::parse_against_the_plan(raw.trim()),
                first,
                "{raw}"
            );
        }
    }

    #[test]
    fn logs_see_only_a_masked_number() {
        let n = PhoneNumber::parse("+14155552671").unwrap();
        assert_eq!(n.masked(), "+1******2671");
        assert_eq!(format!("{n:?}"), "PhoneNumber(+1******2671)");
        assert_eq!(n.display(), "(415) 555-2671");
        assert_eq!(n.nanp_area_code(), Some("415"));
    }

    proptest! {
        // Any valid US number, written nationally or in E.164, parses to the same E.164 value,
        // and parsing that value again gives it back unchanged.
        #[test]
        fn parsing_round_trips(area in 201u32..990, exchange in 200u32..999, line in 0u32..10000) {
            let national = format!("({area}) {exchange}-{line:04}");
            if let Ok(first) = PhoneNumber::parse(&national) {
                let again = PhoneNumber::parse(first.as_str()).unwrap();
                prop_assert_eq!(&again, &first);
                prop_assert_eq!(first.as_str(), format!("+1{area}{exchange}{line:04}"));
                let dashed = format!("{area}-{exchange}-{line:04}");
                prop_assert_eq!(PhoneNumber::parse(&dashed).unwrap(), first);
            }
        }
    }
}
