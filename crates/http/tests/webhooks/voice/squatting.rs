//! SPEC §11 call-SID squatting: a SID logged through the API never decides who owns a Twilio
//! call; the number called does. And the API's 409 says nothing about other DJs' calls.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{DjProfileId, Role};
use djcalls_telephony::{CallOutcome, deliver};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    a_logged_call_sid_never_captures_another_djs_twilio_call => logged_sid_squatting;
}

async fn log_call(app: &TestApp, token: &str, dj: DjProfileId, sid: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/djdash/calls"))
        .bearer_auth(token)
        .json(&json!({"dj_profile_id": dj.to_string(), "call_sid": sid}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn logged_sid_squatting(app: TestApp) {
    let (squatter, _) = app
        .dj_with_number("dj-squatter", "DJ Squatter", "America/New_York")
        .await;
    let (victim, victim_number) = app
        .dj_with_number("dj-victim", "DJ Victim", "America/New_York")
        .await;
    let squatter_token = app
        .user_token("squatter@dj.test", Role::Dj, &[squatter])
        .await;
    let s = scenario(CallOutcome::Answered, &victim_number);
    let sid = s.call_sid.as_str().to_string();

    // The squatter logs the SID before Twilio's call arrives.
    let (status, body) = log_call(&app, &squatter_token, squatter, &sid).await;
    assert_eq!(status, 201, "{body}");
    let answers = deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, s)| (200..300).contains(s)),
        "{answers:?}"
    );

    // The call, its caller and recording are the victim's: the number called decides.
    let victim_calls = app.calls_of(victim).await;
    assert_eq!(victim_calls.len(), 1, "{victim_calls:?}");
    assert_eq!(victim_calls[0]["call_sid"], json!(sid));
    assert_eq!(victim_calls[0]["caller_number"], json!(CALLER));
    assert_eq!(victim_calls[0]["call_status"], json!("completed"));
    let squatter_calls = app.calls_of(squatter).await;
    assert_eq!(squatter_calls.len(), 1, "{squatter_calls:?}");
    assert_eq!(squatter_calls[0]["caller_number"], Value::Null);
    assert_eq!(squatter_calls[0]["recording_sid"], Value::Null);

    // A SID that exists only for another DJ answers as a fresh one would (no 409 to probe
    // with); the same DJ's own duplicate is still a conflict.
    let (prober, _) = app
        .dj_with_number("dj-prober", "DJ Prober", "America/New_York")
        .await;
    let prober_token = app.user_token("prober@dj.test", Role::Dj, &[prober]).await;
    let (status, body) = log_call(&app, &prober_token, prober, &sid).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = log_call(&app, &squatter_token, squatter, &sid).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], json!("duplicate_call_sid"));
    let victim_token = app.user_token("victim@dj.test", Role::Dj, &[victim]).await;
    let (status, _) = log_call(&app, &victim_token, victim, &sid).await;
    assert_eq!(status, 409, "the victim's own Twilio call has this SID");
    assert_eq!(app.calls_of(victim).await.len(), 1);
}
