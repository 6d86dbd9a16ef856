//! The one way a Twilio webhook gets in: verify `X-Twilio-Signature` over the URL Twilio
//! called and every posted parameter, then parse the typed payload, and name the delivery so a
//! redelivery is recognised. The HTTP layer only gathers the URL, header and body.

use crate::signature::verify_signature;
use crate::webhooks::{Webhook, WebhookError, parse_form};
use sha2::{Digest, Sha256};

/// A webhook that came from Twilio, parsed.
#[derive(Debug)]
pub struct VerifiedWebhook<W> {
    pub webhook: W,
    /// Identifies this delivery: the same webhook delivered twice has the same key.
    pub delivery_key: String,
}

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRejection {
    /// Missing or wrong signature: not from Twilio (or not for this URL), nothing is done.
    #[error("missing or wrong Twilio signature")]
    BadSignature,
    /// Signed, but without what the payload needs.
    #[error(transparent)]
    Unusable(#[from] WebhookError),
}

/// Verifies a webhook posted to `public_base_url` + `path_and_query` with `signature` (the
/// `X-Twilio-Signature` header, `""` when absent) and parses its form `body` as `W`.
pub fn verify_and_parse<W: Webhook>(
    auth_token: &str,
    public_base_url: &str,
    path_and_query: &str,
    signature: &str,
    body: &[u8],
) -> Result<VerifiedWebhook<W>, WebhookRejection> {
    let params = parse_form(body);
    let url = format!("{public_base_url}{path_and_query}");
    if !verify_signature(auth_token, &url, &params, signature) {
        return Err(WebhookRejection::BadSignature);
    }
    // Twilio never sends a NUL, and no database text column can hold one: refuse the delivery
    // (400, nothing written) instead of failing on it later.
    if let Some((key, _)) = params
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(WebhookError::Malformed(format!("{key:?} holds a NUL character")).into());
    }
    let webhook = W::from_pairs(&params)?;
    Ok(VerifiedWebhook {
        webhook,
        delivery_key: delivery_key(path_and_query, &params),
    })
}

/// `hex(SHA-256(path, then the sorted distinct parameters))`.
///
/// Distinct, because [`verify_signature`] accepts a signature made over each distinct
/// `key=value` pair once (twilio-python's form) when a pair is repeated: a replay with one pair
/// duplicated is still correctly signed, so it must name the same delivery, or every such
/// replay would add an event.
fn delivery_key(path_and_query: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut hasher = Sha256::new();
    hasher.update(path_and_query.as_bytes());
    for (key, value) in sorted {
        hasher.update(b"\n");
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::compute_signature;
    use crate::webhooks::GatherDigits;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_delivery_key_ignores_parameter_order_but_not_values() {
        let a = pairs(&[("A", "1"), ("B", "2")]);
        let b = pairs(&[("B", "2"), ("A", "1")]);
        let c = pairs(&[("A", "1"), ("B", "3")]);
        assert_eq!(delivery_key("/x", &a), delivery_key("/x", &b));
        assert_ne!(delivery_key("/x", &a), delivery_key("/x", &c));
        assert_ne!(delivery_key("/x", &a), delivery_key("/y", &a));
    }

    #[test]
    fn a_replay_with_a_duplicated_pair_that_still_verifies_has_the_same_delivery_key() {
        let once = pairs(&[("CallSid", "CA1"), ("CallStatus", "ringing")]);
        let twice = pairs(&[
            ("CallSid", "CA1"),
            ("CallStatus", "ringing"),
            ("CallStatus", "ringing"),
        ]);
        let signature = compute_signature("tok", "https://x.test/w", &once);
        assert!(verify_signature(
            "tok",
            "https://x.test/w",
            &twice,
            &signature
        ));
        assert_eq!(delivery_key("/w", &once), delivery_key("/w", &twice));
        // A repeated key with another value is other content, so another delivery.
        let other = pairs(&[
            ("CallSid", "CA1"),
            ("CallStatus", "ringing"),
            ("CallStatus", "busy"),
        ]);
        assert_ne!(delivery_key("/w", &once), delivery_key("/w", &other));
    }

    #[test]
    fn a_signed_body_holding_a_nul_is_unusable_not_stored() {
        let params = pairs(&[("Digits", "1\0")]);
        let signature = compute_signature("tok", "https://x.test/w", &params);
        let refused = verify_and_parse::<GatherDigits>(
            "tok",
            "https://x.test",
            "/w",
            &signature,
            b"Digits=1%00",
        );
        assert!(matches!(refused, Err(WebhookRejection::Unusable(_))));
    }

    #[test]
    fn only_a_correctly_signed_body_is_parsed() {
        let params = pairs(&[("Digits", "1")]);
        let good = compute_signature("tok", "https://x.test/w?a=1", &params);
        let verified =
            verify_and_parse::<GatherDigits>("tok", "https://x.test", "/w?a=1", &good, b"Digits=1")
                .unwrap();
        assert_eq!(verified.webhook.digits.as_deref(), Some("1"));
        let refused =
            verify_and_parse::<GatherDigits>("tok", "https://x.test", "/w", &good, b"Digits=1");
        assert!(matches!(refused, Err(WebhookRejection::BadSignature)));
    }
}
