//! The TwiML answers: forwarding, unknown numbers, voicemail, late callbacks, recordings, names.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{DjProfileId, PhoneNumber};
use djcalls_telephony::{CallOutcome, deliver};
use djcalls_testkit::DJ_REAL_NUMBER as DJ_REAL;
use djcalls_testkit::TestApp;

#[tokio::test]
async fn an_incoming_call_is_forwarded_to_the_dj_with_a_whisper_and_recording() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-twiml", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    let s = scenario(CallOutcome::Answered, &number);
    let incoming = &s.deliveries()[0];
    let (status, xml) = post_signed(&app, incoming.path, &incoming.params).await;
    assert_eq!(status, 200);
    assert!(xml.contains("This call may be recorded"), "{xml}");
    assert!(
        xml.contains("DJ &lt;Sparkle&gt; &amp; Co"),
        "the DJ name is escaped: {xml}"
    );
    assert!(
        xml.contains(&format!("callerId=\"{}\"", number.as_str())),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(
            "action=\"{}/api/djdash/calls/dial-status\"",
            app.base_url
        )),
        "{xml}"
    );
    assert!(xml.contains("timeout=\"20\""), "{xml}");
    assert!(xml.contains("record=\"record-from-answer-dual\""), "{xml}");
    assert!(
        xml.contains(&format!(
            "recordingStatusCallback=\"{}/api/djdash/calls/recording\"",
            app.base_url
        )),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(
            "url=\"{}/api/djdash/calls/whisper\"",
            app.base_url
        )),
        "{xml}"
    );
    assert!(xml.contains(&format!(">{DJ_REAL}</Number>")), "{xml}");
    let calls = app.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["call_status"], "ringing");
}

#[tokio::test]
async fn a_call_to_an_unknown_number_gets_a_polite_message_and_a_hang_up() {
    let app = TestApp::sqlite().await;
    let unknown = PhoneNumber::parse("+13125550199").unwrap();
    let s = scenario(CallOutcome::Answered, &unknown);
    let incoming = &s.deliveries()[0];
    let (status, xml) = post_signed(&app, incoming.path, &incoming.params).await;
    assert_eq!(status, 200);
    assert!(
        xml.contains("not in service") && xml.contains("<Hangup/>"),
        "{xml}"
    );
    assert!(!xml.contains("<Dial"), "{xml}");
}

#[tokio::test]
async fn an_unanswered_dial_offers_voicemail_and_an_answered_one_hangs_up() {
    let app = TestApp::sqlite().await;
    let (_, number) = app
        .dj_with_number("dj-dial", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    let missed = scenario(CallOutcome::Missed, &number).deliveries();
    post_signed(&app, missed[0].path, &missed[0].params).await;
    let (status, xml) = post_signed(&app, missed[1].path, &missed[1].params).await;
    assert_eq!(status, 200);
    assert!(xml.contains("<Record"), "{xml}");
    assert!(
        xml.contains("maxLength=\"120\"") && xml.contains("transcribe=\"true\""),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(
            "transcribeCallback=\"{}/api/djdash/calls/voicemail\"",
            app.base_url
        )),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(
            "action=\"{}/api/djdash/calls/voicemail-complete\"",
            app.base_url
        )),
        "its own action, so no loop: {xml}"
    );
    let answered = scenario(CallOutcome::Answered, &number).deliveries();
    post_signed(&app, answered[0].path, &answered[0].params).await;
    let (_, xml) = post_signed(&app, answered[1].path, &answered[1].params).await;
    assert!(
        xml.contains("<Hangup/>") && !xml.contains("<Record"),
        "{xml}"
    );
}

#[tokio::test]
async fn a_late_ringing_after_completed_changes_nothing() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-late", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    let s = scenario(CallOutcome::Answered, &number);
    let deliveries = s.deliveries();
    deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &deliveries)
        .await
        .unwrap();
    let before = app.calls_of(dj).await[0].clone();
    let mut late = deliveries.last().unwrap().clone();
    for (k, v) in &mut late.params {
        if k == "CallStatus" {
            *v = "ringing".into();
        }
        if k == "CallDuration" {
            *v = "0".into();
        }
    }
    let answers = deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &[late])
        .await
        .unwrap();
    assert!((200..300).contains(&answers[0].1));
    let after = app.calls_of(dj).await[0].clone();
    assert_eq!(after["call_status"], before["call_status"]);
    assert_eq!(
        after["call_duration_seconds"],
        before["call_duration_seconds"]
    );
    assert_eq!(after["talk_seconds"], before["talk_seconds"]);
}

#[tokio::test]
async fn a_recording_plays_only_through_our_authenticated_endpoint() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-recording", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    let s = scenario(CallOutcome::Answered, &number);
    deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    let call = app.calls_of(dj).await[0].clone();
    let path = call["recording_url"].as_str().unwrap().to_string();
    assert_eq!(
        path,
        format!(
            "/api/djdash/calls/{}/recording",
            call["id"].as_str().unwrap()
        )
    );

    let own = app
        .user_token("dj@recording.test", djcalls_domain::Role::Dj, &[dj])
        .await;
    let response = app
        .client
        .get(app.url(&path))
        .bearer_auth(&own)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("audio/")
    );
    assert!(!response.bytes().await.unwrap().is_empty());

    let other = app
        .user_token(
            "other@recording.test",
            djcalls_domain::Role::Dj,
            &[DjProfileId(uuid::Uuid::new_v4())],
        )
        .await;
    let response = app
        .client
        .get(app.url(&path))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn the_caller_name_twilio_looked_up_is_stored() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-caller-name", "DJ Sparkle", "America/New_York")
        .await;
    let mut deliveries = scenario(CallOutcome::Answered, &number).deliveries();
    deliveries[0]
        .params
        .push(("CallerName".into(), "JANE DOE".into()));
    deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &deliveries)
        .await
        .unwrap();
    assert_eq!(app.calls_of(dj).await[0]["caller_name"], "JANE DOE");
}
