//! Shared helpers: fixed data, the clock, delivering calls and texts, reading calls and jobs.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_store::jobs::Job;
use djcalls_telephony::{CallOutcome, CallScenario, SIGNATURE_HEADER, compute_signature, deliver};
use djcalls_testkit::TestApp;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

pub const CALLER: &str = "+14155550123";

pub const CALLER_DIGITS: &str = "4155550123";

/// Noon in New York (the default profile zone): outside quiet hours.
pub fn noon() -> Timestamp {
    "2026-06-15T16:00:00Z".parse().unwrap()
}

pub fn advance(app: &TestApp, by: SignedDuration) {
    let now = app.app.now().0;
    app.clock.set(now.checked_add(by).unwrap());
}

pub async fn dj(app: &TestApp) -> (DjProfileId, PhoneNumber) {
    app.dj_with_number("dj-sparkle", "DJ Sparkle", "America/New_York")
        .await
}

pub fn scenario(outcome: CallOutcome, to: &PhoneNumber, caller: &str, talk: u32) -> CallScenario {
    let mut s = CallScenario::new(outcome, PhoneNumber::parse(caller).unwrap(), to.clone());
    s.talk_secs = talk;
    s
}

/// Sends the scenario's signed webhooks to `base_url` and checks every answer was 2xx.
pub async fn deliver_call_to(base_url: &str, s: &CallScenario) {
    let answers = deliver(base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    for (path, status) in answers {
        assert!((200..300).contains(&status), "{path}: {status}");
    }
}

pub async fn call(
    app: &TestApp,
    outcome: CallOutcome,
    to: &PhoneNumber,
    caller: &str,
    talk: u32,
) -> CallScenario {
    let s = scenario(outcome, to, caller, talk);
    deliver_call_to(&app.base_url, &s).await;
    s
}

pub async fn call_by_sid(app: &TestApp, dj: DjProfileId, sid: &str) -> Value {
    app.calls_of(dj)
        .await
        .into_iter()
        .find(|c| c["call_sid"] == sid)
        .unwrap_or_else(|| panic!("no call {sid}"))
}

pub async fn followup_job(app: &TestApp, call: &Value) -> Option<Job> {
    let key = format!("followup:{}", call["id"].as_str().unwrap());
    app.db
        .store
        .job_by_dedupe_key(&Actor::System, &key)
        .await
        .unwrap()
}

/// A signed SMS webhook; returns the status and the body.
pub async fn sms_webhook(app: &TestApp, path: &str, params: &[(&str, &str)]) -> (u16, String) {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    let signature = compute_signature(SIMULATOR_AUTH_TOKEN, &app.url(path), &params);
    let response = app
        .client
        .post(app.url(path))
        .header(SIGNATURE_HEADER, signature)
        .form(&params)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

pub fn message_sid() -> String {
    format!("SM{}", uuid::Uuid::new_v4().simple())
}

pub async fn text_in(app: &TestApp, from: &str, to: &PhoneNumber, body: &str) -> (u16, String) {
    let sid = message_sid();
    sms_webhook(
        app,
        "/api/djdash/sms/incoming",
        &[
            ("MessageSid", &sid),
            ("SmsSid", &sid),
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("From", from),
            ("To", to.as_str()),
            ("Body", body),
            ("NumMedia", "0"),
        ],
    )
    .await
}

pub async fn app_at_noon() -> TestApp {
    let app = TestApp::sqlite().await;
    app.clock.set(noon());
    app
}
