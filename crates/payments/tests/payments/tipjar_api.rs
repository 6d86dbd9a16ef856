//! `TipJarClient` against a fake TipJar: the seed's exact request, and its failure modes.

use djcalls_payments::{PaymentError, PaymentLinks, TipJarClient, TipJarConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{assert_no_phone_number_sent, dj_profile_id, header, session_request};

fn client(server: &MockServer) -> TipJarClient {
    let config = TipJarConfig::new(
        format!("{}/api/sessions", server.uri()),
        SecretString::from("tj_live_key"),
    );
    match TipJarClient::new(config) {
        Ok(client) => client,
        Err(e) => panic!("client: {e}"),
    }
}

async fn answer(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/api/sessions"))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_session_is_made_with_exactly_the_seeds_request() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({"paymentUrl": "https://tipjar.example/pay/tj_123"})),
    )
    .await;

    let url = client(&server).create_session(&session_request()).await;
    assert_eq!(
        url.ok().as_deref(),
        Some("https://tipjar.example/pay/tj_123")
    );

    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/api/sessions");
    assert_eq!(header(request, "authorization"), Some("Bearer tj_live_key"));
    assert_eq!(header(request, "content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    assert_eq!(
        body,
        json!({
            "dj_profile_id": dj_profile_id().to_string(),
            "reference": "c4ll_r3f_A1",
            "description": "Booking deposit for DJ Nova",
            "amount": null
        })
    );
    assert_no_phone_number_sent(request);
}

#[tokio::test]
async fn an_answer_without_payment_url_is_a_permanent_error() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({"url": "https://tipjar.example/x"})),
    )
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
async fn a_payment_url_that_is_not_http_is_a_permanent_error() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({"paymentUrl": "javascript:alert(1)"})),
    )
    .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(
        matches!(&err, Some(PaymentError::InvalidResponse { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_a_permanent_error() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200).set_body_string("<html>ok</html>"),
    )
    .await;

    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(err.is_some_and(|e| !e.is_retryable()));
}

#[tokio::test]
async fn a_tipjar_500_is_retryable_and_a_400_is_not() {
    let server = MockServer::start().await;
    answer(&server, ResponseTemplate::new(503)).await;
    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(
        matches!(&err, Some(PaymentError::Rejected { status: 503, .. })),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| e.is_retryable()));

    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({"error": "reference is required"})),
    )
    .await;
    let err = client(&server)
        .create_session(&session_request())
        .await
        .err();
    assert!(
        matches!(
            &err,
            Some(PaymentError::Rejected {
                status: 400,
                code: None,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| !e.is_retryable()));
}

#[test]
fn a_tipjar_url_that_is_not_http_is_refused_at_start_up() {
    let config = TipJarConfig::new("ftp://tipjar.example", SecretString::from("k"));
    assert!(matches!(
        TipJarClient::new(config),
        Err(PaymentError::Config { .. })
    ));
}
