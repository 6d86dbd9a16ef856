//! Meta Conversions API: `POST {base}/{version}/{pixel id}/events` with `access_token` and a
//! JSON body `{"data": [{"event_name": "Purchase", "event_time", "action_source":
//! "phone_call", "event_id", "user_data": {"ph": [<hash>]}, "custom_data": {"value",
//! "currency"}}]}`. Meta de-duplicates by `event_id` (with the event name).
//!
//! The phone is hashed as Meta's customer-information rules ask: digits only, country code
//! included, no `+`, then SHA-256 in lower-case hex. The number itself never leaves.

use crate::send::{SendError, send};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// `META_API_BASE_URL` when unset.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// The Graph API version events are sent to.
pub const API_VERSION: &str = "v21.0";

/// `META_PIXEL_ID`, `META_ACCESS_TOKEN`, `META_API_BASE_URL`.
#[derive(Clone, Debug)]
pub struct MetaConfig {
    pub pixel_id: String,
    pub access_token: SecretString,
    /// Without a trailing slash.
    pub base_url: String,
    pub api_version: String,
}

impl MetaConfig {
    /// A configuration for `base_url` (`None`: [`DEFAULT_BASE_URL`]) and [`API_VERSION`].
    pub fn new(pixel_id: &str, access_token: SecretString, base_url: Option<&str>) -> Self {
        MetaConfig {
            pixel_id: pixel_id.to_string(),
            access_token,
            base_url: base_url
                .unwrap_or(DEFAULT_BASE_URL)
                .trim_end_matches('/')
                .to_string(),
            api_version: API_VERSION.to_string(),
        }
    }
}

/// SHA-256 (lower-case hex) of an E.164 number's digits, without the `+`.
pub fn hashed_phone(e164: &str) -> String {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    hex::encode(Sha256::digest(digits.as_bytes()))
}

/// One `Purchase` of a payment on a phone call.
#[derive(Clone, Debug, PartialEq)]
pub struct MetaPurchase {
    /// Our payment's id.
    pub event_id: String,
    /// When the payment happened, seconds since the epoch.
    pub event_time: i64,
    /// [`hashed_phone`] of the caller.
    pub phone_hash: String,
    /// Whole cents.
    pub value_cents: i64,
    /// ISO 4217, sent upper-case.
    pub currency: String,
}

impl MetaPurchase {
    /// The request body (without the access token, which goes in the query).
    pub fn body(&self) -> Value {
        json!({
            "data": [{
                "event_name": "Purchase",
                "event_time": self.event_time,
                "action_source": "phone_call",
                "event_id": self.event_id,
                "user_data": {"ph": [self.phone_hash]},
                "custom_data": {
                    "value": crate::amount(self.value_cents),
                    "currency": self.currency.to_ascii_uppercase(),
                }
            }]
        })
    }

    /// Sends the event once.
    pub async fn send(&self, http: &reqwest::Client, config: &MetaConfig) -> Result<(), SendError> {
        let request = http
            .post(format!(
                "{}/{}/{}/events",
                config.base_url, config.api_version, config.pixel_id
            ))
            .query(&[("access_token", config.access_token.expose_secret())])
            .json(&self.body());
        send("Meta", request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phone_is_hashed_as_digits_without_the_plus() {
        // `printf 14155552671 | sha256sum`
        assert_eq!(
            hashed_phone("+14155552671"),
            "758fbf68945f21c416814c539ab578876c8d98fb69e6da692def92cd52417fe0"
        );
        assert_eq!(hashed_phone("+14155552671"), hashed_phone("14155552671"));
        assert_eq!(hashed_phone("+14155552671").len(), 64);
    }

    #[test]
    fn a_purchase_is_a_phone_call_with_our_payment_id() {
        let event = MetaPurchase {
            event_id: "pay-1".into(),
            event_time: 1_781_000_000,
            phone_hash: "ab".repeat(32),
            value_cents: 15000,
            currency: "usd".into(),
        };
        assert_eq!(
            event.body(),
            json!({"data": [{"event_name": "Purchase", "event_time": 1_781_000_000,
                   "action_source": "phone_call", "event_id": "pay-1",
                   "user_data": {"ph": ["ab".repeat(32)]},
                   "custom_data": {"value": 150.0, "currency": "USD"}}]})
        );
    }
}
