//! `StripeClient` against a fake Stripe: the exact requests, and how failures are classified.

use std::time::Duration;

use djcalls_domain::money::Cents;
use djcalls_payments::stripe::{DepositOptions, STRIPE_API_VERSION};
use djcalls_payments::{PaymentError, PaymentLinks, StripeClient, StripeConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{assert_no_phone_number_sent, dj_profile_id, header, session_request};

const CHECKOUT_URL: &str =
    "https://checkout.stripe.com/c/pay/cs_test_a1#fidkdWxOYHwnPyd1blpxYHZxWjA0";

fn client(server: &MockServer) -> StripeClient {
    let mut config = StripeConfig::new(SecretString::from("sk_test_51Fake"));
    config.api_base_url = server.uri();
    config.deposit = DepositOptions {
        minimum_cents: Some(Cents(2_500)),
        ..DepositOptions::default()
    };
    match StripeClient::new(config) {
        Ok(client) => client,
        Err(e) => panic!("client: {e}"),
    }
}

async fn mount_happy_stripe(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/prices"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "price_1Q", "object": "price"})),
        )
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "cs_test_a1", "object": "checkout.session", "url": CHECKOUT_URL
        })))
        .expect(1)
        .mount(server)
        .await;
}

fn form(request: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_checkout_session_is_made_with_exactly_the_requests_stripe_expects() {
    let server = MockServer::start().await;
    mount_happy_stripe(&server).await;

    let url = client(&server).create_session(&session_request()).await;
    assert_eq!(url.ok().as_deref(), Some(CHECKOUT_URL));

    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2);
    let dj = dj_profile_id().to_string();
    for (request, path, key) in [
        (&requests[0], "/v1/prices", "followup-7-price"),
        (&requests[1], "/v1/checkout/sessions", "followup-7-session"),
    ] {
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(request.url.path(), path);
        assert_eq!(
            header(request, "authorization"),
            Some("Bearer sk_test_51Fake")
        );
        assert_eq!(header(request, "stripe-version"), Some(STRIPE_API_VERSION));
        assert_eq!(header(request, "idempotency-key"), Some(key));
        assert_eq!(
            header(request, "content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_no_phone_number_sent(request);
    }
    assert_eq!(
        form(&requests[0]),
        pairs(&[
            ("currency", "usd"),
            ("custom_unit_amount[enabled]", "true"),
            ("custom_unit_amount[minimum]", "2500"),
            ("product_data[name]", "Booking deposit: DJ Nova"),
            ("metadata[reference]", "c4ll_r3f_A1"),
            ("metadata[dj_profile_id]", &dj),
        ])
    );
    assert_eq!(
        form(&requests[1]),
        pairs(&[
            ("mode", "payment"),
            ("line_items[0][price]", "price_1Q"),
            ("line_items[0][quantity]", "1"),
            ("client_reference_id", "c4ll_r3f_A1"),
            ("submit_type", "book"),
            ("success_url", "https://calls.example.com/pay/thanks"),
            ("cancel_url", "https://calls.example.com/pay/cancelled"),
            (
                "payment_intent_data[description]",
                "Booking deposit for DJ Nova"
            ),
            ("metadata[reference]", "c4ll_r3f_A1"),
            ("metadata[dj_profile_id]", &dj),
            ("payment_intent_data[metadata][reference]", "c4ll_r3f_A1"),
            ("payment_intent_data[metadata][dj_profile_id]", &dj),
        ])
    );
}

#[tokio::test]
async fn a_stripe_500_is_a_retryable_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/prices"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}
        })))
        .mount(&server)
        .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(
        matches!(&err, Some(PaymentError::Rejected { status: 500, code: Some(code), .. }) if code == "api_error"),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn a_stripe_400_is_a_permanent_error_that_keeps_only_the_code() {
    let server = MockServer::start().await;
    mount_happy_stripe_prices_only(&server).await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {
                "code": "url_invalid",
                "param": "success_url",
                "message": "Not a valid URL: sk_test_51Fake",
                "type": "invalid_request_error"
            }
        })))
        .mount(&server)
        .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(err.as_ref().is_some_and(|e| !e.is_retryable()), "{err:?}");
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        text,
        "stripe refused the request with HTTP 400 (url_invalid)"
    );
}

async fn mount_happy_stripe_prices_only(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/prices"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "price_1Q"})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn stripe_should_retry_false_makes_a_500_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).insert_header("Stripe-Should-Retry", "false"))
        .mount(&server)
        .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(err.is_some_and(|e| !e.is_retryable()));
}

#[tokio::test]
async fn a_rate_limited_request_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "error": {"code": "rate_limit", "type": "invalid_request_error"}
        })))
        .mount(&server)
        .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(err.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn a_session_answer_without_a_url_is_a_permanent_error() {
    let server = MockServer::start().await;
    mount_happy_stripe_prices_only(&server).await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "cs_1", "url": null})))
        .mount(&server)
        .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(
        matches!(&err, Some(PaymentError::InvalidResponse { .. })),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| !e.is_retryable()));
}

#[tokio::test]
async fn a_stripe_that_does_not_answer_in_time_is_a_retryable_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "price_1Q"}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let mut config = StripeConfig::new(SecretString::from("sk_test_51Fake"));
    config.api_base_url = server.uri();
    config.timeout = Duration::from_millis(200);
    let client = StripeClient::new(config).ok();

    let err = match client {
        Some(c) => c.create_session(&session_request()).await.err(),
        None => panic!("client"),
    };
    assert!(
        matches!(&err, Some(PaymentError::Timeout { .. })),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn an_unreachable_stripe_is_a_retryable_network_error() {
    // Bind then drop a listener so the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let mut config = StripeConfig::new(SecretString::from("sk_test_51Fake"));
    config.api_base_url = format!("http://127.0.0.1:{port}");
    let client = StripeClient::new(config).ok();

    let err = match client {
        Some(c) => c.create_session(&session_request()).await.err(),
        None => panic!("client"),
    };
    assert!(
        matches!(&err, Some(PaymentError::Network { .. })),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| e.is_retryable()));
}

#[tokio::test]
async fn an_invalid_request_never_reaches_stripe() {
    let server = MockServer::start().await;
    let mut request = session_request();
    request.description = format!("Call back {}", crate::CALLER_PHONE);

    let err = client(&server).create_session(&request).await.err();
    assert!(
        matches!(&err, Some(PaymentError::InvalidRequest(_))),
        "{err:?}"
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn a_bad_configuration_is_refused_at_start_up() {
    let mut config = StripeConfig::new(SecretString::from("sk_test_51Fake"));
    config.api_base_url = "api.stripe.com".into();
    assert!(matches!(
        StripeClient::new(config),
        Err(PaymentError::Config { .. })
    ));
    let config = StripeConfig::new(SecretString::from(""));
    assert!(matches!(
        StripeClient::new(config),
        Err(PaymentError::Config { .. })
    ));
    let mut config = StripeConfig::new(SecretString::from("sk_test_51Fake"));
    config.deposit.minimum_cents = Some(Cents(5_000));
    config.deposit.preset_cents = Some(Cents(1_000));
    assert!(matches!(
        StripeClient::new(config),
        Err(PaymentError::Config { .. })
    ));
}

#[test]
fn the_client_debug_output_hides_the_secret_key() {
    let config = StripeConfig::new(SecretString::from("sk_test_51Fake"));
    assert!(!format!("{config:?}").contains("sk_test_51Fake"));
    if let Ok(client) = StripeClient::new(config) {
        assert!(!format!("{client:?}").contains("sk_test_51Fake"));
    }
}
