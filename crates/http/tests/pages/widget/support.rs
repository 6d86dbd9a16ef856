//! Shared by the widget stories: the caller, click requests, stored clicks, calls and the clock.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::TestApp;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

pub const CALLER: &str = "+14155550123";

/// A click as the widget sends it, with the token a DNI answer would have given it.
pub fn click_body(t: &TestApp, dj: DjProfileId) -> Value {
    json!({
        "dj_profile_id": dj,
        "click_token": t.app.click_token(dj),
        "page_url": "https://www.thebash.com/dj/spin-city?utm_source=google&gclid=abc123",
        "referrer": "https://www.google.com/",
        "visitor_id": "3f1c2b9e-7d4a-4c1e-9b7a-2d5e8f0a1b2c",
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "summer-weddings",
        "utm_term": "wedding dj",
        "utm_content": "ad-1",
        "gclid": "abc123",
        "some_future_field": 1,
    })
}

pub async fn post_click(
    t: &TestApp,
    body: &str,
    content_type: &str,
    forwarded_for: &str,
) -> reqwest::Response {
    t.client
        .post(t.url("/api/djdash/clicks"))
        .header("content-type", content_type)
        .header("x-forwarded-for", forwarded_for)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

pub async fn clicks(t: &TestApp, dj: DjProfileId) -> Vec<djcalls_app::clicks::ClickRecord> {
    t.app.recent_clicks(&Actor::System, dj, 100).await.unwrap()
}

pub async fn call(t: &TestApp, to: &PhoneNumber) {
    let s = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse(CALLER).unwrap(),
        to.clone(),
    );
    let answers = deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    assert!(
        answers
            .iter()
            .all(|(_, status)| (200..300).contains(status)),
        "{answers:?}"
    );
}

pub fn advance(t: &TestApp, by: SignedDuration) {
    let now: Timestamp = t.app.now().0;
    t.clock.set(now.checked_add(by).unwrap());
}
