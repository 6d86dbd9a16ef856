//! The follow-up SMS through the real Twilio REST client against a fake Twilio server over
//! HTTP: exactly one `Messages.json` request per qualifying call under duplicated webhooks,
//! a 500 retried, and a 21610 refusal never retried (the caller opted out, with its
//! `lead.opted_out` and `contact.updated` events).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, TwilioClient, TwilioConfig, deliver};
use djcalls_testkit::{ServedApp, TestApp};
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json";

/// The test's app, but talking to Twilio at `twilio` with the real client, on its own port.
async fn with_real_twilio(t: &TestApp, twilio: &MockServer) -> ServedApp {
    let client = TwilioClient::new(
        TwilioConfig::new(ACCOUNT, SecretString::from("fake-auth-token".to_string()))
            .with_api_base_url(twilio.uri()),
    )
    .unwrap();
    TestApp::builder()
        .telephony(Arc::new(client))
        .serve_beside(t)
        .await
}

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(serde_json::json!({
        "sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"
    }))
}

async fn answered_call(served: &ServedApp, number: &PhoneNumber, times: usize) {
    let mut scenario = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse("+14155550123").unwrap(),
        number.clone(),
    );
    scenario.talk_secs = 60;
    let deliveries = scenario.deliveries();
    for _ in 0..times {
        let answers = deliver(&served.base_url, SIMULATOR_AUTH_TOKEN, &deliveries)
            .await
            .unwrap();
        assert!(
            answers.iter().all(|(_, s)| (200..300).contains(s)),
            "{answers:?}"
        );
    }
}

async fn setup(slug: &str) -> (TestApp, MockServer, PhoneNumber) {
    let t = TestApp::sqlite().await;
    t.clock
        .set("2026-06-15T16:00:00Z".parse::<Timestamp>().unwrap());
    let (_, number) = t
        .dj_with_number(slug, "DJ Sparkle", "America/New_York")
        .await;
    (t, MockServer::start().await, number)
}

#[tokio::test]
async fn duplicated_webhooks_make_exactly_one_twilio_request() {
    let (t, twilio, number) = setup("dj-http-once").await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(created())
        .expect(1)
        .mount(&twilio)
        .await;
    let served = with_real_twilio(&t, &twilio).await;
    answered_call(&served, &number, 3).await;
    served.app.run_due_jobs().await;
    served.app.run_due_jobs().await;
    let requests = twilio.received_requests().await.unwrap();
    let body = String::from_utf8(requests[0].body.clone()).unwrap();
    assert!(body.contains("To=%2B14155550123"), "{body}");
    assert!(
        body.contains(&format!("From={}", number.as_str().replace('+', "%2B"))),
        "{body}"
    );
    assert!(body.contains("%2Fpay%2F"), "{body}");
    assert!(
        requests[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );
}

#[tokio::test]
async fn a_twilio_500_is_retried_with_backoff_and_sends_once() {
    let (t, twilio, number) = setup("dj-http-retry").await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            serde_json::json!({"code": 20500, "message": "Internal error", "status": 500}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&twilio)
        .await;
    let served = with_real_twilio(&t, &twilio).await;
    answered_call(&served, &number, 1).await;
    served.app.run_due_jobs().await;
    // The retry waits for its backoff; then the second attempt succeeds.
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(created())
        .expect(1)
        .mount(&twilio)
        .await;
    served.app.run_due_jobs().await;
    assert_eq!(
        twilio.received_requests().await.unwrap().len(),
        1,
        "not before the backoff"
    );
    t.clock.set(
        t.app
            .now()
            .0
            .checked_add(SignedDuration::from_mins(5))
            .unwrap(),
    );
    served.app.run_due_jobs().await;
    t.clock.set(
        t.app
            .now()
            .0
            .checked_add(SignedDuration::from_hours(2))
            .unwrap(),
    );
    served.app.run_due_jobs().await;
    assert_eq!(twilio.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_21610_refusal_is_not_retried_and_opts_the_caller_out() {
    let (t, twilio, number) = setup("dj-http-21610").await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400
        })))
        .expect(1)
        .mount(&twilio)
        .await;
    // An endpoint, so outbound events are queued (of a type nothing here raises, so none is
    // delivered anywhere).
    let endpoint = djcalls_store::webhooks::WebhookEndpoint {
        id: djcalls_domain::WebhookEndpointId(uuid::Uuid::from_u128(0x21610)),
        url: "https://hooks.example.com/in".into(),
        events: vec!["payment.refunded".into()],
        secret: "whsec_c2VjcmV0".into(),
        created_at: t.app.now(),
        disabled_at: None,
        disabled_reason: None,
    };
    t.db.store
        .insert_webhook_endpoint(&djcalls_domain::Actor::Service, &endpoint)
        .await
        .unwrap();
    let served = with_real_twilio(&t, &twilio).await;
    answered_call(&served, &number, 1).await;
    served.app.run_due_jobs().await;
    t.clock.set(
        t.app
            .now()
            .0
            .checked_add(SignedDuration::from_hours(3))
            .unwrap(),
    );
    served.app.run_due_jobs().await;
    assert!(t.db.store.is_opted_out("+14155550123").await.unwrap());
    // The opt-out raised `lead.opted_out` and the contact's `contact.updated`, queued with it.
    let jobs = t.db.contents().await.remove("jobs").unwrap_or_default();
    let raised = |needle: &str| jobs.iter().filter(|j| j.contains(needle)).count();
    assert_eq!(raised("twilio_21610"), 1, "{jobs:#?}");
    assert_eq!(raised(r#"opted_out":true"#), 1, "{jobs:#?}");
    // A later qualifying call from the same number is never even attempted.
    t.clock.set(
        t.app
            .now()
            .0
            .checked_add(SignedDuration::from_hours(30))
            .unwrap(),
    );
    answered_call(&served, &number, 1).await;
    served.app.run_due_jobs().await;
}
