//! Outbound webhooks (SPEC §14) end to end, against fake receivers over HTTP
//! (`receiver.rs`): a call that ends reaches an endpoint signed; a voicemail raises its
//! `call.missed`, `voicemail.received` and `insights.ready` once each; a failing endpoint is retried
//! with the same `webhook-id` as the test clock moves and disabled after 3 days; a slow
//! endpoint does not hold up another; a manual retry; a follow-up text and a STOP raise
//! `followup.sent` and `lead.opted_out`; logged and reconciled calls raise call events; the SSRF refusals (at creation, and at
//! delivery for a name that resolves to a private address); the secret shown once.

mod call_events;
mod contact_paths;
mod contacts;
mod deliveries;
mod insights_ready;
mod payments;
mod receiver;
mod refusals;
mod retention;
mod texts;
mod written_calls;

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_app::webhooks::TargetPolicy;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::{ServedApp, TestApp};
use serde_json::{Value, json};

/// The test's app beside itself, allowed to deliver to this machine over http (the fake
/// receivers), with the given private-address rule.
async fn beside(t: &TestApp, allow_private: bool) -> ServedApp {
    TestApp::builder()
        .settings(move |s| {
            s.webhooks.targets = TargetPolicy {
                allow_http_localhost: true,
                allow_private,
            }
        })
        .serve_beside(t)
        .await
}

/// `POST /api/djdash/webhook-endpoints` as the service: (status, answer).
async fn create(t: &TestApp, base: &str, url: &str, events: &[&str]) -> (u16, Value) {
    let response = t
        .client
        .post(format!("{base}/api/djdash/webhook-endpoints"))
        .bearer_auth(t.service_key())
        .json(&json!({"url": url, "events": events}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A created endpoint's (id, secret).
async fn endpoint(t: &TestApp, served: &ServedApp, url: &str, events: &[&str]) -> (String, String) {
    let (status, body) = create(t, &served.base_url, url, events).await;
    assert_eq!(status, 201, "{body}");
    let endpoint = &body["endpoint"];
    (
        endpoint["id"].as_str().unwrap().to_string(),
        endpoint["secret"].as_str().unwrap().to_string(),
    )
}

/// The endpoint's deliveries, newest first.
async fn deliveries(t: &TestApp, base: &str, endpoint: &str) -> Vec<Value> {
    let body: Value = t
        .client
        .get(format!(
            "{base}/api/djdash/webhook-endpoints/{endpoint}/deliveries"
        ))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["deliveries"].as_array().cloned().unwrap_or_default()
}

/// A DJ with a number, and a finished call to it with `outcome` through `served`'s webhooks.
async fn dj_and_call(
    t: &TestApp,
    served: &ServedApp,
    slug: &str,
    outcome: CallOutcome,
) -> PhoneNumber {
    let (_, number) = t.dj_with_number(slug, "DJ Hooks", "America/New_York").await;
    call(served, &number, outcome).await;
    number
}

/// A DJ's API token (DJs may not manage webhooks).
async fn dj_token(t: &TestApp, slug: &str) -> String {
    let id = djcalls_domain::DjProfileId(uuid::Uuid::new_v4());
    t.profile(id, slug).await;
    t.user_token(
        &format!("{slug}@example.com"),
        djcalls_domain::Role::Dj,
        &[id],
    )
    .await
}

async fn call(served: &ServedApp, number: &PhoneNumber, outcome: CallOutcome) {
    let mut scenario = CallScenario::new(
        outcome,
        PhoneNumber::parse("+14155550123").unwrap(),
        number.clone(),
    );
    scenario.talk_secs = 60;
    let answers = deliver(
        &served.base_url,
        SIMULATOR_AUTH_TOKEN,
        &scenario.deliveries(),
    )
    .await
    .unwrap();
    assert!(
        answers.iter().all(|(_, s)| (200..300).contains(s)),
        "{answers:?}"
    );
}
