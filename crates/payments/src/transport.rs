//! Sending one provider request and sorting the outcome into success or a [`PaymentError`] that
//! knows whether it is worth retrying. Shared by the Stripe and TipJar clients.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::provider::PaymentError;

/// Whole-request timeout when the configuration does not set one.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn http_client(
    provider: &'static str,
    timeout: Duration,
) -> Result<reqwest::Client, PaymentError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        // Providers answer directly; a redirect would re-send our credentials elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("djcalls/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| PaymentError::Config {
            provider,
            reason: "could not build the HTTP client",
        })
}

/// Sends the request; returns the body of a 2xx answer.
pub(crate) async fn send(
    provider: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<String, PaymentError> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(provider, e))?;
    let status = response.status();
    let should_retry = response
        .headers()
        .get("stripe-should-retry")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| match v {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        });
    let body = response
        .text()
        .await
        .map_err(|e| transport_error(provider, e))?;
    if status.is_success() {
        return Ok(body);
    }
    let (code, param) = error_details(&body);
    // The provider's message is not logged: it can echo values we sent.
    tracing::warn!(
        provider,
        status = status.as_u16(),
        code = code.as_deref(),
        param = param.as_deref(),
        "payment provider refused the request"
    );
    Err(PaymentError::Rejected {
        provider,
        status: status.as_u16(),
        code,
        should_retry,
    })
}

/// Parses a 2xx body. A body we cannot read is permanent: with the same idempotency key, a retry
/// gets the same answer back.
pub(crate) fn parse_body<T: DeserializeOwned>(
    provider: &'static str,
    body: &str,
) -> Result<T, PaymentError> {
    serde_json::from_str(body).map_err(|_| PaymentError::InvalidResponse {
        provider,
        reason: "the answer is not the JSON we expected",
    })
}

fn transport_error(provider: &'static str, err: reqwest::Error) -> PaymentError {
    if err.is_timeout() {
        PaymentError::Timeout { provider }
    } else {
        // Drop the URL from the error: a configured endpoint may carry credentials.
        PaymentError::Network {
            provider,
            source: err.without_url(),
        }
    }
}

/// `error.code` (or `error.type`) and `error.param` from a Stripe-style error body, kept only when
/// they look like identifiers.
fn error_details(body: &str) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return (None, None);
    };
    let error = &value["error"];
    let pick = |key: &str| {
        error
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| is_identifier(s))
            .map(str::to_owned)
    };
    (pick("code").or_else(|| pick("type")), pick("param"))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_error_codes_are_extracted_and_messages_dropped() {
        let body = r#"{"error":{"code":"parameter_missing","param":"line_items[0][price]","message":"Missing required param: +14155552671","type":"invalid_request_error"}}"#;
        assert_eq!(
            error_details(body),
            (
                Some("parameter_missing".into()),
                Some("line_items[0][price]".into())
            )
        );
    }

    #[test]
    fn an_error_type_stands_in_when_there_is_no_code() {
        let body = r#"{"error":{"type":"api_error","message":"x"}}"#;
        assert_eq!(error_details(body), (Some("api_error".into()), None));
    }

    #[test]
    fn free_text_where_a_code_should_be_is_dropped() {
        let body = r#"{"error":{"code":"call me at 415 555 2671"}}"#;
        assert_eq!(error_details(body), (None, None));
        assert_eq!(error_details("<html>bad gateway</html>"), (None, None));
    }
}
