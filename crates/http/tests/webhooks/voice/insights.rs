//! A voicemail's transcript is analysed when it arrives (SPEC §12): the call's insights, and
//! its lead score and event type following them unless a person set them.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::{CallOutcome, WebhookDelivery, deliver};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

const SAID: &str = "Hi, this is Rachel, we're planning a wedding on June 14th, about 150 guests.";

fn is_transcript(d: &WebhookDelivery) -> bool {
    d.params.iter().any(|(k, _)| k == "TranscriptionText")
}

async fn send(t: &TestApp, deliveries: &[WebhookDelivery]) {
    let answers = deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, deliveries)
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, code)| (200..300).contains(code)),
        "{answers:?}"
    );
}

async fn only_call(t: &TestApp, dj: djcalls_domain::DjProfileId) -> Value {
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    calls[0].clone()
}

async fn the_issue_voicemail_becomes_a_hot_wedding_lead(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-insights", "DJ Insights", "America/New_York")
        .await;
    let mut s = scenario(CallOutcome::Voicemail, &number);
    s.transcript = SAID.to_string();
    send(&t, &s.deliveries()).await;

    let call = only_call(&t, dj).await;
    // The test clock says 2026-06-15, so "June 14th" is next year's.
    assert_eq!(call["event_type"], "wedding");
    assert_eq!(call["lead_score"], "hot");
    let i = &call["insights"];
    assert_eq!(i["language"], "en");
    assert_eq!(i["event_type"], "wedding");
    assert_eq!(i["event_date"], "2027-06-14");
    assert_eq!(i["guest_count"], 150);
    assert_eq!(i["lead_score"], "hot");
    assert_eq!(i["booking_intent"], true);
    assert!(
        i["score_reasons"][0]
            .as_str()
            .unwrap()
            .contains("2027-06-14")
    );
    // Analytics by event type follow.
    let by_type = t
        .service_json(&format!(
            "/api/djdash/calls/analytics?dj_profile_id={dj}&start_date=2026-01-01&tz=UTC"
        ))
        .await;
    assert_eq!(
        by_type["analytics"]["eventTypeBreakdown"]["wedding"], 1,
        "{by_type}"
    );
}

async fn a_persons_lead_score_survives_a_later_transcript(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-insights-person", "DJ Person", "America/New_York")
        .await;
    let mut s = scenario(CallOutcome::Voicemail, &number);
    s.transcript = SAID.to_string();
    let (transcript, before): (Vec<_>, Vec<_>) =
        s.deliveries().into_iter().partition(is_transcript);
    send(&t, &before).await;
    let call = only_call(&t, dj).await;
    assert_eq!(call["insights"], Value::Null);
    let id = call["id"].as_str().unwrap().to_string();
    let patched = t
        .client
        .patch(t.url(&format!("/api/djdash/calls/{id}")))
        .bearer_auth(t.service_key())
        .json(&json!({"lead_score": "cold"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);

    send(&t, &transcript).await;
    let call = only_call(&t, dj).await;
    assert_eq!(call["lead_score"], "cold", "the person's choice stays");
    assert_eq!(call["insights"]["lead_score"], "hot");
    assert_eq!(
        call["event_type"], "wedding",
        "no person set the event type"
    );
}

djcalls_testkit::on_both_backends! { TestApp:
    issue_voicemail => the_issue_voicemail_becomes_a_hot_wedding_lead;
    person_lead_score => a_persons_lead_score_survives_a_later_transcript;
}
