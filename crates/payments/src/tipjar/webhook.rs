//! TipJar webhooks: `X-TipJar-Signature` (the same `t=…,v1=…` scheme as Stripe) and the body
//! `{"id", "type": "payment.succeeded" | "payment.refunded", "data": {"payment_id",
//! "amount_cents", "currency", "reference"}}`.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::event::{
    EventParseError, PaymentEvent, Provider, RefundAmount, amount_field, currency_field, id_field,
    required,
};
use crate::signature::{self, SignatureError};

pub const TIPJAR_SIGNATURE_HEADER: &str = "X-TipJar-Signature";

/// Checks `X-TipJar-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` with
/// `TIPJAR_WEBHOOK_SECRET`, under the same rules as Stripe's check (any `v1`, constant-time,
/// `t` within `tolerance_secs` of `now_unix` either way).
pub fn verify_tipjar_signature(
    secret: &SecretString,
    header: &str,
    raw_body: &[u8],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    signature::verify(
        secret.expose_secret().as_bytes(),
        header,
        raw_body,
        now_unix,
        tolerance_secs,
    )
}

/// The `X-TipJar-Signature` value TipJar would send (tests and the payment simulator).
pub fn sign_tipjar_payload(secret: &SecretString, timestamp_unix: i64, raw_body: &[u8]) -> String {
    signature::sign(secret.expose_secret().as_bytes(), timestamp_unix, raw_body)
}

#[derive(Deserialize)]
struct TipJarEvent {
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    data: Option<TipJarData>,
}

#[derive(Deserialize)]
struct TipJarData {
    payment_id: Option<String>,
    amount_cents: Option<i64>,
    currency: Option<String>,
    reference: Option<String>,
}

pub(crate) const PAYMENT_SUCCEEDED: &str = "payment.succeeded";
pub(crate) const PAYMENT_REFUNDED: &str = "payment.refunded";

/// Parses a verified TipJar event body.
///
/// - `payment.succeeded` → [`PaymentEvent::Paid`] keyed by `data.payment_id`.
/// - `payment.refunded` → [`PaymentEvent::Refunded`] whose `amount_cents` is **that** refund
///   ([`RefundAmount::Single`]); the event `id` is the refund key, since every refund is its own
///   event and a redelivery repeats the id.
/// - Other types → [`PaymentEvent::Ignored`].
pub fn parse_tipjar_event(raw_body: &[u8]) -> Result<PaymentEvent, EventParseError> {
    let event: TipJarEvent = serde_json::from_slice(raw_body)?;
    let event_id = id_field(event.id, "id")?;
    let event_type = required(event.event_type, "type")?;
    if event_type != PAYMENT_SUCCEEDED && event_type != PAYMENT_REFUNDED {
        return Ok(PaymentEvent::Ignored {
            event_id,
            event_type,
            reason: "event type not handled",
        });
    }
    let data = required(event.data, "data")?;
    let provider_payment_id = id_field(data.payment_id, "data.payment_id")?;
    let amount_cents = amount_field(data.amount_cents, "data.amount_cents")?;
    let currency = currency_field(data.currency, "data.currency")?;
    if event_type == PAYMENT_SUCCEEDED {
        Ok(PaymentEvent::Paid {
            provider: Provider::TipJar,
            event_id,
            provider_payment_id,
            amount_cents,
            currency,
            reference: id_field(data.reference, "data.reference")?,
        })
    } else {
        Ok(PaymentEvent::Refunded {
            provider: Provider::TipJar,
            refund_key: event_id.clone(),
            event_id,
            provider_payment_id,
            refunded: RefundAmount::Single { amount_cents },
            currency,
        })
    }
}

#[cfg(test)]
mod signature_tests {
    crate::signature::signature_contract_tests!(
        super::sign_tipjar_payload,
        super::verify_tipjar_signature
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_succeeded_payment_without_a_reference_is_a_parse_error() {
        let body = br#"{"id":"evt_1","type":"payment.succeeded","data":{"payment_id":"pay_1","amount_cents":500,"currency":"usd"}}"#;
        assert_eq!(
            parse_tipjar_event(body),
            Err(EventParseError::MissingField("data.reference"))
        );
    }

    #[test]
    fn a_string_amount_is_a_parse_error_that_does_not_echo_the_value() {
        let body = br#"{"id":"evt_1","type":"payment.succeeded","data":{"payment_id":"pay_1","amount_cents":"+14155552671","currency":"usd","reference":"r"}}"#;
        let err = parse_tipjar_event(body).err();
        assert!(matches!(err, Some(EventParseError::Json { .. })));
        assert!(
            !err.map(|e| e.to_string())
                .unwrap_or_default()
                .contains("415")
        );
    }

    #[test]
    fn an_unknown_event_type_is_ignored_without_reading_data() {
        let body = br#"{"id":"evt_1","type":"payout.sent"}"#;
        assert!(matches!(
            parse_tipjar_event(body),
            Ok(PaymentEvent::Ignored { event_type, .. }) if event_type == "payout.sent"
        ));
    }

    #[test]
    fn a_missing_type_is_a_parse_error() {
        assert_eq!(
            parse_tipjar_event(br#"{"id":"evt_1"}"#),
            Err(EventParseError::MissingField("type"))
        );
    }
}
