//! The Standard Webhooks signature: a `whsec_<base64>` secret per endpoint, and
//! `webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">` keyed with the
//! secret's decoded bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What a secret's text starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret we generate (the scheme asks for 24 to 64).
const GENERATED_BYTES: usize = 32;
const MIN_BYTES: usize = 24;
const MAX_BYTES: usize = 64;

/// An endpoint's signing secret. `Debug` never shows it; [`WebhookSecret::reveal`] is the one
/// way to its text (to store it, and to show it once to whoever created the endpoint).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

/// A secret's text that is not `whsec_` + base64 of 24 to 64 bytes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a webhook secret is whsec_ followed by the base64 of 24 to 64 bytes")]
pub struct BadSecret;

impl WebhookSecret {
    /// A new secret of 32 random bytes.
    pub fn generate() -> WebhookSecret {
        let mut key = vec![0u8; GENERATED_BYTES];
        rand::fill(key.as_mut_slice());
        WebhookSecret { key }
    }

    /// Reads `whsec_<base64>` (the prefix is optional, as in the reference libraries).
    pub fn parse(text: &str) -> Result<WebhookSecret, BadSecret> {
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let key = STANDARD.decode(encoded).map_err(|_| BadSecret)?;
        if !(MIN_BYTES..=MAX_BYTES).contains(&key.len()) {
            return Err(BadSecret);
        }
        Ok(WebhookSecret { key })
    }

    /// The secret's text, `whsec_<base64>`.
    pub fn reveal(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        #[allow(clippy::expect_used)] // HMAC takes a key of any length
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The `webhook-signature` header's value for one delivery: `v1,<base64>`.
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = secret.mac(id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// True when one of the space-separated signatures in `header` is a valid `v1` signature of
/// this delivery (compared in constant time). Receivers also check the timestamp's age.
pub fn verify(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split(' ').any(|candidate| {
        candidate
            .strip_prefix("v1,")
            .and_then(|encoded| STANDARD.decode(encoded).ok())
            .is_some_and(|tag| secret.mac(id, timestamp, body).verify_slice(&tag).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference test vectors of github.com/standard-webhooks/standard-webhooks at commit
    // b2fa7b8719fb75d326b591077f5d1b385cfcdfae:
    // libraries/rust/src/lib.rs (`test_sign`) and libraries/javascript/src/webhook.test.ts
    // ("sign function works").
    const VECTORS: [(&str, &str, i64, &str, &str); 2] = [
        (
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            r#"{"email":"test@example.com","username":"test_user"}"#,
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        ),
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];

    #[test]
    fn signatures_match_the_reference_vectors() {
        for (secret, id, timestamp, body, expected) in VECTORS {
            let secret = WebhookSecret::parse(secret).expect("reference secret");
            assert_eq!(sign(&secret, id, timestamp, body.as_bytes()), expected);
            assert!(verify(&secret, id, timestamp, body.as_bytes(), expected));
        }
    }

    #[test]
    fn verification_refuses_any_change_and_accepts_one_of_several() {
        let (secret, id, timestamp, body, good) = VECTORS[0];
        let secret = WebhookSecret::parse(secret).expect("secret");
        let body = body.as_bytes();
        assert!(!verify(&secret, "msg_other", timestamp, body, good));
        assert!(!verify(&secret, id, timestamp + 1, body, good));
        assert!(!verify(&secret, id, timestamp, b"{}", good));
        assert!(!verify(
            &secret,
            id,
            timestamp,
            body,
            "v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        ));
        assert!(!verify(&secret, id, timestamp, body, "v1,"));
        let several = format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {good}");
        assert!(verify(&secret, id, timestamp, body, &several));
    }

    #[test]
    fn a_generated_secret_round_trips_and_never_shows_in_debug() {
        let secret = WebhookSecret::generate();
        let text = secret.reveal();
        assert!(text.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&text[6..]).expect("base64").len(), 32);
        assert_eq!(WebhookSecret::parse(&text), Ok(secret.clone()));
        assert!(!format!("{secret:?}").contains(&text[6..]));
        assert_ne!(WebhookSecret::generate(), secret);
    }

    #[test]
    fn short_or_garbled_secrets_are_refused() {
        assert_eq!(WebhookSecret::parse("whsec_c2hvcnQ="), Err(BadSecret));
        assert_eq!(WebhookSecret::parse("whsec_not base64!"), Err(BadSecret));
    }
}
