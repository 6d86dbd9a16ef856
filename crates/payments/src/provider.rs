//! The payment-link port: the trait every provider implements, the request it takes and the
//! error it returns.

use djcalls_domain::ids::DjProfileId;

/// Makes a payment session with a provider and says where to send the payer.
///
/// Held as `Arc<dyn PaymentLinks>`; the composition root picks Stripe, TipJar or the simulator.
#[async_trait::async_trait]
pub trait PaymentLinks: Send + Sync {
    /// Short lowercase provider name for logs and metrics (`stripe`, `tipjar`, `simulator`).
    fn name(&self) -> &'static str;

    /// Creates a payment session for one call and returns the URL to redirect the payer to.
    ///
    /// Calling it again with the same [`SessionRequest::idempotency_key`] and the same request
    /// must not create a second charge-able session at providers that support idempotency.
    async fn create_session(&self, req: &SessionRequest) -> Result<String, PaymentError>;
}

/// What a provider needs to make a booking-deposit session. Holds no personal data: the caller is
/// identified only by `reference`, an opaque per-call token of ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRequest {
    /// Our opaque per-call reference; it comes back in the provider's webhook. No PII.
    pub reference: String,
    pub dj_profile_id: DjProfileId,
    /// Shown to the payer ("Booking deposit: DJ Nova").
    pub dj_name: String,
    pub description: String,
    /// Sent to the provider so a retried request cannot create a second session. Keep it the
    /// same for retries of one attempt only: Stripe forgets keys after 24 hours and its
    /// Checkout Sessions expire within 24 hours, so a link opened days later needs a new key.
    pub idempotency_key: String,
    /// Where the provider sends the payer after paying / cancelling (http or https).
    pub success_url: String,
    pub cancel_url: String,
}

/// Longest `reference` we accept: Stripe's `client_reference_id` limit.
pub const MAX_REFERENCE_LEN: usize = 200;
/// Longest idempotency key we accept; Stripe allows 255 and we append a short suffix per call.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 200;

impl SessionRequest {
    /// Rejects requests no provider should receive, before anything goes on the wire.
    pub fn validate(&self) -> Result<(), PaymentError> {
        let reference_ok = !self.reference.is_empty()
            && self.reference.len() <= MAX_REFERENCE_LEN
            && self
                .reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !reference_ok {
            return Err(PaymentError::InvalidRequest(
                "reference must be 1-200 characters of A-Z, a-z, 0-9, '-' or '_'",
            ));
        }
        let key_ok = !self.idempotency_key.is_empty()
            && self.idempotency_key.len() <= MAX_IDEMPOTENCY_KEY_LEN
            && self.idempotency_key.bytes().all(|b| b.is_ascii_graphic());
        if !key_ok {
            return Err(PaymentError::InvalidRequest(
                "idempotency key must be 1-200 visible ASCII characters",
            ));
        }
        if !is_http_url(&self.success_url) || !is_http_url(&self.cancel_url) {
            return Err(PaymentError::InvalidRequest(
                "success and cancel URLs must be absolute http(s) URLs",
            ));
        }
        // Defence in depth: free text is the one place a phone number could slip into a
        // provider request (SPEC §8: no phone number in any URL or provider request).
        if contains_phone_like(&self.dj_name) || contains_phone_like(&self.description) {
            return Err(PaymentError::InvalidRequest(
                "DJ name or description looks like it contains a phone number",
            ));
        }
        Ok(())
    }
}

/// True when `text` holds a run of ten or more digits, possibly split by the separators people
/// write phone numbers with (`+1 (415) 555-2671`, `415.555.2671`). Ten is the shortest full
/// NANP number; shorter runs (years, dates, prices) pass.
pub fn contains_phone_like(text: &str) -> bool {
    const MIN_DIGITS: usize = 10;
    let mut digits = 0usize;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= MIN_DIGITS {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '+') {
            // Anything but a phone separator ends the run ("12/05/2026", "120, 2").
            digits = 0;
        }
    }
    false
}

pub(crate) fn is_http_url(raw: &str) -> bool {
    match url::Url::parse(raw) {
        Ok(url) => matches!(url.scheme(), "http" | "https") && url.host().is_some(),
        Err(_) => false,
    }
}

/// Why a payment session could not be made. `Display` never contains secrets, request bodies or
/// provider messages (those can echo what we sent); only our wording, the HTTP status and the
/// provider's machine-readable error code.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("the payment request is invalid: {0}")]
    InvalidRequest(&'static str),
    #[error("{provider} is not configured correctly: {reason}")]
    Config {
        provider: &'static str,
        reason: &'static str,
    },
    #[error("could not reach {provider}")]
    Network {
        provider: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("{provider} did not answer in time")]
    Timeout { provider: &'static str },
    #[error("{provider} refused the request with HTTP {status}{}", code_suffix(.code))]
    Rejected {
        provider: &'static str,
        status: u16,
        /// The provider's error code (`resource_missing`, `rate_limit`…), sanitised.
        code: Option<String>,
        /// Stripe's `Stripe-Should-Retry` answer, which overrides the status-based rule.
        should_retry: Option<bool>,
    },
    #[error("{provider} gave an unusable answer: {reason}")]
    InvalidResponse {
        provider: &'static str,
        reason: &'static str,
    },
}

fn code_suffix(code: &Option<String>) -> String {
    code.as_deref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default()
}

impl PaymentError {
    /// Whether trying the same request again later may succeed: network failures, timeouts,
    /// 5xx, 429 (rate limit), 408 (request timeout) and 409 (Stripe: the same idempotency key
    /// is still in flight). Every other 4xx, bad configuration, an invalid request and an
    /// unusable 2xx answer are permanent: a retry with the same idempotency key gets the same
    /// answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            PaymentError::Network { .. } | PaymentError::Timeout { .. } => true,
            PaymentError::Rejected {
                status,
                should_retry,
                ..
            } => should_retry.unwrap_or(matches!(status, 408 | 409 | 429 | 500..=599)),
            PaymentError::InvalidRequest(_)
            | PaymentError::Config { .. }
            | PaymentError::InvalidResponse { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn request() -> SessionRequest {
        SessionRequest {
            reference: "ref_0cKq3x".into(),
            dj_profile_id: DjProfileId(Uuid::nil()),
            dj_name: "DJ Nova".into(),
            description: "Booking deposit for DJ Nova (2026 season)".into(),
            idempotency_key: "job-42".into(),
            success_url: "https://example.com/pay/done".into(),
            cancel_url: "https://example.com/pay/cancelled".into(),
        }
    }

    #[test]
    fn a_well_formed_request_is_valid() {
        assert!(request().validate().is_ok());
    }

    #[test]
    fn a_reference_with_spaces_or_too_long_is_invalid() {
        let mut r = request();
        r.reference = "has space".into();
        assert!(r.validate().is_err());
        r.reference = "a".repeat(MAX_REFERENCE_LEN + 1);
        assert!(r.validate().is_err());
        r.reference = String::new();
        assert!(r.validate().is_err());
    }

    #[test]
    fn a_relative_or_non_http_return_url_is_invalid() {
        let mut r = request();
        r.success_url = "/pay/done".into();
        assert!(r.validate().is_err());
        let mut r = request();
        r.cancel_url = "javascript:alert(1)".into();
        assert!(r.validate().is_err());
    }

    #[test]
    fn a_description_with_a_phone_number_is_invalid() {
        let mut r = request();
        r.description = "Call back +1 (415) 555-2671".into();
        assert!(matches!(r.validate(), Err(PaymentError::InvalidRequest(_))));
    }

    #[test]
    fn phone_like_text_is_recognised_in_common_spellings() {
        for text in [
            "+14155552671",
            "4155552671",
            "(415) 555-2671",
            "415.555.2671",
            "call +44 20 8366 1177 now",
        ] {
            assert!(contains_phone_like(text), "{text}");
        }
    }

    #[test]
    fn dates_prices_and_short_numbers_are_not_phone_like() {
        for text in [
            "Booking deposit 2026-05-12",
            "$150.00 deposit",
            "DJ 2000",
            "12/05/2026 at 21:00",
            "party of 120, 2 sets",
        ] {
            assert!(!contains_phone_like(text), "{text}");
        }
    }

    #[test]
    fn retryability_follows_the_status_code_unless_stripe_says_otherwise() {
        let rejected = |status, should_retry| PaymentError::Rejected {
            provider: "stripe",
            status,
            code: None,
            should_retry,
        };
        assert!(rejected(500, None).is_retryable());
        assert!(rejected(503, None).is_retryable());
        assert!(rejected(429, None).is_retryable());
        assert!(rejected(409, None).is_retryable());
        assert!(!rejected(400, None).is_retryable());
        assert!(!rejected(401, None).is_retryable());
        assert!(!rejected(404, None).is_retryable());
        assert!(!rejected(500, Some(false)).is_retryable());
        assert!(rejected(400, Some(true)).is_retryable());
        assert!(PaymentError::Timeout { provider: "tipjar" }.is_retryable());
        assert!(!PaymentError::InvalidRequest("x").is_retryable());
    }

    #[test]
    fn error_text_names_the_status_and_code_only() {
        let err = PaymentError::Rejected {
            provider: "stripe",
            status: 400,
            code: Some("parameter_invalid_empty".into()),
            should_retry: None,
        };
        assert_eq!(
            err.to_string(),
            "stripe refused the request with HTTP 400 (parameter_invalid_empty)"
        );
    }
}
