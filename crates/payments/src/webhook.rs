//! The one way a payment webhook gets in, whichever provider sent it: check the `t=…,v1=…`
//! signature over the raw body (300 s tolerance), then parse the body into a [`PaymentEvent`].
//! The provider decides only the header, the secret's name and the body's shape.

use crate::event::{EventParseError, PaymentEvent, Provider};
use crate::signature::{DEFAULT_TOLERANCE_SECS, SignatureError};
use crate::stripe::{STRIPE_SIGNATURE_HEADER, parse_stripe_event, verify_stripe_signature};
use crate::tipjar::{TIPJAR_SIGNATURE_HEADER, parse_tipjar_event, verify_tipjar_signature};
use secrecy::SecretString;

/// Why a payment webhook was refused (answered 400, nothing written). `Display` is for the log
/// and never echoes the header or the body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRejection {
    /// The provider's webhook secret is not configured, so nothing can be verified.
    #[error("{0} is not set")]
    NoSecret(&'static str),
    #[error("no signature header")]
    NoSignature,
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// Correctly signed, but not a body we can read.
    #[error(transparent)]
    Unreadable(#[from] EventParseError),
}

impl Provider {
    /// The request header carrying the provider's signature.
    pub fn signature_header(self) -> &'static str {
        match self {
            Provider::Stripe => STRIPE_SIGNATURE_HEADER,
            Provider::TipJar => TIPJAR_SIGNATURE_HEADER,
        }
    }

    /// The setting that holds the provider's webhook secret.
    pub fn secret_variable(self) -> &'static str {
        match self {
            Provider::Stripe => "STRIPE_WEBHOOK_SECRET",
            Provider::TipJar => "TIPJAR_WEBHOOK_SECRET",
        }
    }

    /// Parses a verified body in the provider's format.
    pub fn parse_event(self, raw_body: &[u8]) -> Result<PaymentEvent, EventParseError> {
        match self {
            Provider::Stripe => parse_stripe_event(raw_body),
            Provider::TipJar => parse_tipjar_event(raw_body),
        }
    }

    /// Verifies `signature` (the provider's header, `None` when absent) over the raw body with
    /// `secret` at `now_unix`, then parses the event.
    pub fn verify_and_parse(
        self,
        secret: Option<&SecretString>,
        signature: Option<&str>,
        raw_body: &[u8],
        now_unix: i64,
    ) -> Result<PaymentEvent, WebhookRejection> {
        let secret = secret.ok_or(WebhookRejection::NoSecret(self.secret_variable()))?;
        let signature = signature.ok_or(WebhookRejection::NoSignature)?;
        // Each provider's own check (tested against its published vectors), with its 300 s.
        let verify = match self {
            Provider::Stripe => verify_stripe_signature,
            Provider::TipJar => verify_tipjar_signature,
        };
        verify(
            secret,
            signature,
            raw_body,
            now_unix,
            DEFAULT_TOLERANCE_SECS,
        )?;
        Ok(self.parse_event(raw_body)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tipjar::sign_tipjar_payload;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"something.else","data":{}}"#;

    #[test]
    fn a_signed_body_is_parsed_and_anything_else_refused() {
        let secret = SecretString::from("whsec_test");
        let header = sign_tipjar_payload(&secret, 1_000, BODY);
        let event = Provider::TipJar.verify_and_parse(Some(&secret), Some(&header), BODY, 1_100);
        assert!(matches!(event, Ok(PaymentEvent::Ignored { .. })));
        let late = Provider::TipJar.verify_and_parse(Some(&secret), Some(&header), BODY, 2_000);
        assert_eq!(
            late,
            Err(WebhookRejection::Signature(
                SignatureError::OutsideTolerance
            ))
        );
        assert_eq!(
            Provider::Stripe
                .verify_and_parse(None, Some(&header), BODY, 1_100)
                .unwrap_err()
                .to_string(),
            "STRIPE_WEBHOOK_SECRET is not set"
        );
        assert_eq!(
            Provider::Stripe.verify_and_parse(Some(&secret), None, BODY, 1_100),
            Err(WebhookRejection::NoSignature)
        );
    }
}
