//! Stripe webhooks: the `Stripe-Signature` check and the events we act on. Only the fields we
//! need are read, so fields Stripe adds (or an API-version drift) cannot break parsing.

use std::collections::HashMap;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::event::{
    EventParseError, PaymentEvent, Provider, RefundAmount, amount_field, currency_field, id_field,
    required,
};
use crate::signature::{self, SignatureError};

pub const STRIPE_SIGNATURE_HEADER: &str = "Stripe-Signature";

/// Checks `Stripe-Signature: t=…,v1=…[,v1=…]` against the **raw** request body with the
/// endpoint's `whsec_…` secret (the whole string is the HMAC key). Any `v1` may match (Stripe
/// sends several while a secret is being rolled); `t` must be within `tolerance_secs` of
/// `now_unix` either way ([`crate::DEFAULT_TOLERANCE_SECS`] is Stripe's 300 s).
pub fn verify_stripe_signature(
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

/// The `Stripe-Signature` value Stripe would send for `raw_body` at `timestamp_unix`
/// (for tests and `djcalls simulate`).
pub fn sign_stripe_payload(secret: &SecretString, timestamp_unix: i64, raw_body: &[u8]) -> String {
    signature::sign(secret.expose_secret().as_bytes(), timestamp_unix, raw_body)
}

#[derive(Deserialize)]
struct Envelope {
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    data: Option<EnvelopeData>,
}

#[derive(Deserialize)]
struct EnvelopeData {
    object: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct CheckoutSession {
    id: Option<String>,
    payment_status: Option<String>,
    /// A `pi_…` id, or the object itself if someone expanded it.
    payment_intent: Option<serde_json::Value>,
    amount_total: Option<i64>,
    currency: Option<String>,
    client_reference_id: Option<String>,
    metadata: Option<HashMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct Charge {
    id: Option<String>,
    payment_intent: Option<serde_json::Value>,
    amount_refunded: Option<i64>,
    currency: Option<String>,
}

/// The id inside an expandable field: `"pi_123"` or `{"id": "pi_123", …}`.
fn expandable_id(value: Option<serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(id) => Some(id),
        serde_json::Value::Object(mut object) => match object.remove("id") {
            Some(serde_json::Value::String(id)) => Some(id),
            _ => None,
        },
        _ => None,
    }
}

/// Parses a verified Stripe event body.
///
/// - `checkout.session.completed` and `checkout.session.async_payment_succeeded` with
///   `payment_status = "paid"` → [`PaymentEvent::Paid`]. A completed session that is not yet
///   paid (bank debits settle later and then send `async_payment_succeeded`) is ignored.
/// - `charge.refunded` → [`PaymentEvent::Refunded`] with Stripe's cumulative `amount_refunded`
///   (see [`RefundAmount`] for turning that into ledger deltas) and the refund key
///   `"{charge id}:{amount_refunded}"`, which is the same on redelivery and differs per refund.
/// - Anything else → [`PaymentEvent::Ignored`].
pub fn parse_stripe_event(raw_body: &[u8]) -> Result<PaymentEvent, EventParseError> {
    let envelope: Envelope = serde_json::from_slice(raw_body)?;
    let event_id = id_field(envelope.id, "id")?;
    let event_type = required(envelope.event_type, "type")?;
    let object = || {
        envelope
            .data
            .and_then(|d| d.object)
            .ok_or(EventParseError::MissingField("data.object"))
    };
    match event_type.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let session: CheckoutSession = serde_json::from_value(object()?)?;
            checkout_paid(event_id, event_type, session)
        }
        "charge.refunded" => {
            let charge: Charge = serde_json::from_value(object()?)?;
            charge_refunded(event_id, charge)
        }
        _ => Ok(PaymentEvent::Ignored {
            event_id,
            event_type,
            reason: "event type not handled",
        }),
    }
}

fn checkout_paid(
    event_id: String,
    event_type: String,
    session: CheckoutSession,
) -> Result<PaymentEvent, EventParseError> {
    let session_id = id_field(session.id, "data.object.id")?;
    if session.payment_status.as_deref() != Some("paid") {
        return Ok(PaymentEvent::Ignored {
            event_id,
            event_type,
            reason: "checkout session is not paid",
        });
    }
    let from_metadata = session
        .metadata
        .and_then(|mut m| m.remove("reference"))
        .and_then(|v| v.as_str().map(str::to_owned));
    let Some(reference) = session
        .client_reference_id
        .filter(|r| !r.is_empty())
        .or(from_metadata)
    else {
        // Paid through a session we did not create (a Dashboard payment link, another app on
        // the same account): not ours to record.
        return Ok(PaymentEvent::Ignored {
            event_id,
            event_type,
            reason: "checkout session has no client_reference_id",
        });
    };
    let provider_payment_id = match expandable_id(session.payment_intent) {
        Some(pi) => id_field(Some(pi), "data.object.payment_intent")?,
        None => session_id,
    };
    Ok(PaymentEvent::Paid {
        provider: Provider::Stripe,
        event_id,
        provider_payment_id,
        amount_cents: amount_field(session.amount_total, "data.object.amount_total")?,
        currency: currency_field(session.currency, "data.object.currency")?,
        reference,
    })
}

fn charge_refunded(event_id: String, charge: Charge) -> Result<PaymentEvent, EventParseError> {
    let charge_id = id_field(charge.id, "data.object.id")?;
    let total = amount_field(charge.amount_refunded, "data.object.amount_refunded")?;
    // Checkout payments always have a PaymentIntent; a bare charge is keyed by its own id.
    let provider_payment_id = match expandable_id(charge.payment_intent) {
        Some(pi) => id_field(Some(pi), "data.object.payment_intent")?,
        None => charge_id.clone(),
    };
    Ok(PaymentEvent::Refunded {
        provider: Provider::Stripe,
        event_id,
        provider_payment_id,
        refund_key: format!("{charge_id}:{}", total.0),
        refunded: RefundAmount::Cumulative { total_cents: total },
        currency: currency_field(charge.currency, "data.object.currency")?,
    })
}

#[cfg(test)]
mod signature_tests {
    crate::signature::signature_contract_tests!(
        super::sign_stripe_payload,
        super::verify_stripe_signature
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expanded_payment_intent_still_yields_its_id() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{
            "id":"cs_1","payment_status":"paid","payment_intent":{"id":"pi_9","object":"payment_intent"},
            "amount_total":1500,"currency":"usd","client_reference_id":"ref_1"}}}"#;
        let event = parse_stripe_event(body);
        assert!(matches!(
            event,
            Ok(PaymentEvent::Paid { provider_payment_id, .. }) if provider_payment_id == "pi_9"
        ));
    }

    #[test]
    fn a_session_without_payment_intent_is_keyed_by_the_session_id() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{
            "id":"cs_1","payment_status":"paid","payment_intent":null,
            "amount_total":1500,"currency":"usd","client_reference_id":"ref_1"}}}"#;
        assert!(matches!(
            parse_stripe_event(body),
            Ok(PaymentEvent::Paid { provider_payment_id, .. }) if provider_payment_id == "cs_1"
        ));
    }

    #[test]
    fn the_metadata_reference_stands_in_for_a_missing_client_reference_id() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{
            "id":"cs_1","payment_status":"paid","payment_intent":"pi_1","amount_total":1500,
            "currency":"usd","client_reference_id":null,"metadata":{"reference":"ref_meta"}}}}"#;
        assert!(matches!(
            parse_stripe_event(body),
            Ok(PaymentEvent::Paid { reference, .. }) if reference == "ref_meta"
        ));
    }

    #[test]
    fn a_paid_session_that_is_not_ours_is_ignored() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{
            "id":"cs_1","payment_status":"paid","payment_intent":"pi_1","amount_total":1500,
            "currency":"usd","client_reference_id":null,"metadata":{}}}}"#;
        assert!(matches!(
            parse_stripe_event(body),
            Ok(PaymentEvent::Ignored { .. })
        ));
    }

    #[test]
    fn a_paid_session_without_an_amount_is_a_parse_error() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{
            "id":"cs_1","payment_status":"paid","payment_intent":"pi_1","amount_total":null,
            "currency":"usd","client_reference_id":"ref_1"}}}"#;
        assert_eq!(
            parse_stripe_event(body),
            Err(EventParseError::MissingField("data.object.amount_total"))
        );
    }

    #[test]
    fn a_known_event_without_data_object_is_a_parse_error() {
        let body = br#"{"id":"evt_1","type":"charge.refunded","data":{}}"#;
        assert_eq!(
            parse_stripe_event(body),
            Err(EventParseError::MissingField("data.object"))
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_a_parse_error() {
        assert!(matches!(
            parse_stripe_event(b"not json"),
            Err(EventParseError::Json { .. })
        ));
        assert!(matches!(
            parse_stripe_event(br#"{"id":5}"#),
            Err(EventParseError::Json { .. })
        ));
    }
}
