//! GA4 Measurement Protocol: `POST {base}/mp/collect?measurement_id=…&api_secret=…` with a JSON
//! body `{"client_id", "timestamp_micros", "events": [{"name", "params": {"transaction_id",
//! "value", "currency"}}]}`. GA4 answers 2xx even to an event it discards, so a 2xx is all
//! there is to check; it de-duplicates purchases by `transaction_id`.

use crate::send::{SendError, send};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

/// `GA4_API_BASE_URL` when unset.
pub const DEFAULT_BASE_URL: &str = "https://www.google-analytics.com";

/// `GA4_MEASUREMENT_ID`, `GA4_API_SECRET`, `GA4_API_BASE_URL`.
#[derive(Clone, Debug)]
pub struct Ga4Config {
    pub measurement_id: String,
    pub api_secret: SecretString,
    /// Without a trailing slash.
    pub base_url: String,
}

impl Ga4Config {
    /// A configuration for `base_url` (`None`: [`DEFAULT_BASE_URL`]).
    pub fn new(measurement_id: &str, api_secret: SecretString, base_url: Option<&str>) -> Self {
        Ga4Config {
            measurement_id: measurement_id.to_string(),
            api_secret,
            base_url: base_url
                .unwrap_or(DEFAULT_BASE_URL)
                .trim_end_matches('/')
                .to_string(),
        }
    }
}

/// The two ecommerce events we send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ga4EventName {
    Purchase,
    Refund,
}

impl Ga4EventName {
    pub fn as_str(self) -> &'static str {
        match self {
            Ga4EventName::Purchase => "purchase",
            Ga4EventName::Refund => "refund",
        }
    }
}

/// One `purchase` or `refund` of a payment.
#[derive(Clone, Debug, PartialEq)]
pub struct Ga4Event {
    pub name: Ga4EventName,
    /// The visitor id of the click that led to the call (the widget's GA client id).
    pub client_id: String,
    /// Our payment's id; a refund names the payment it gives money back from.
    pub transaction_id: String,
    /// Whole cents, positive (a refund's amount given back).
    pub value_cents: i64,
    /// ISO 4217, sent upper-case.
    pub currency: String,
    /// When the payment or refund happened, microseconds since the epoch.
    pub timestamp_micros: i64,
}

impl Ga4Event {
    /// The request body.
    pub fn body(&self) -> Value {
        json!({
            "client_id": self.client_id,
            "timestamp_micros": self.timestamp_micros,
            "events": [{
                "name": self.name.as_str(),
                "params": {
                    "transaction_id": self.transaction_id,
                    "value": crate::amount(self.value_cents.abs()),
                    "currency": self.currency.to_ascii_uppercase(),
                }
            }]
        })
    }

    /// Sends the event once.
    pub async fn send(&self, http: &reqwest::Client, config: &Ga4Config) -> Result<(), SendError> {
        let request = http
            .post(format!("{}/mp/collect", config.base_url))
            .query(&[
                ("measurement_id", config.measurement_id.as_str()),
                ("api_secret", config.api_secret.expose_secret()),
            ])
            .json(&self.body());
        send("GA4", request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purchase_carries_the_visitor_the_payment_and_its_value() {
        let event = Ga4Event {
            name: Ga4EventName::Purchase,
            client_id: "123.456".into(),
            transaction_id: "0190a0b0-0000-7000-8000-000000000001".into(),
            value_cents: 15050,
            currency: "usd".into(),
            timestamp_micros: 1_781_000_000_000_000,
        };
        assert_eq!(
            event.body(),
            json!({"client_id": "123.456", "timestamp_micros": 1_781_000_000_000_000_i64,
                   "events": [{"name": "purchase", "params": {
                       "transaction_id": "0190a0b0-0000-7000-8000-000000000001",
                       "value": 150.5, "currency": "USD"}}]})
        );
        let refund = Ga4Event {
            name: Ga4EventName::Refund,
            value_cents: -5000,
            ..event
        };
        assert_eq!(refund.body()["events"][0]["name"], "refund");
        assert_eq!(refund.body()["events"][0]["params"]["value"], 50.0);
    }
}
