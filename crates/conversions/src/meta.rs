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
/// The Graph API version events are sent to unless `META_API_VERSION` says otherwise.
///
/// Source: Meta's own Business SDK, facebook/facebook-nodejs-business-sdk `src/api.js`
/// (`FacebookAdsApi.VERSION`), which moved to `v26.0` on 2026-08-05 (v25.0 on 2026-03-10,
/// v24.0 on 2025-10-23, v22.0 on 2025-02-13, v21.0 on 2024-10-09) — the newest version as of
/// late 2026. v21.0 is no longer safe: a Graph API version works for two years after its
/// successor (so v21.0 only until early 2027, per developers.facebook.com/docs/apps/versions),
/// and the Conversions API is part of the Marketing API, whose versions are kept only 90 days
/// after the next one (developers.facebook.com/docs/marketing-api/versions).
pub const API_VERSION: &str = "v26.0";

/// Whether `version` is spelled as a Graph API version path segment (`v26.0`).
pub fn is_api_version(version: &str) -> bool {
    let Some((major, minor)) = version.strip_prefix('v').and_then(|v| v.split_once('.')) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    digits(major) && digits(minor)
}

/// `META_PIXEL_ID`, `META_ACCESS_TOKEN`, `META_API_BASE_URL`, `META_API_VERSION`.
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

    /// The same configuration sending to Graph API `version` (already checked with
    /// [`is_api_version`]).
    pub fn with_api_version(mut self, version: &str) -> Self {
        self.api_version = version.to_string();
        self
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
