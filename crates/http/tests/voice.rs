//! The Twilio voice pipeline over HTTP: signed webhook sequences for each outcome, duplicated,
//! shuffled and concurrent, on SQLite and PostgreSQL; signature refusals; the TwiML answers.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{DjProfileId, PhoneNumber};
use djcalls_telephony::{CallOutcome, CallScenario, WebhookDelivery, compute_signature, deliver};
use djcalls_testkit::TestApp;

const CALLER: &str = "+14155550123";
use djcalls_testkit::DJ_REAL_NUMBER as DJ_REAL;

fn scenario(outcome: CallOutcome, to: &PhoneNumber) -> CallScenario {
    let mut s = CallScenario::new(outcome, PhoneNumber::parse(CALLER).unwrap(), to.clone());
    s.ring_seconds = 7;
    s.talk_seconds = 95;
    s.voicemail_seconds = 31;
    s
}

/// Deterministic reorderings: as sent, reversed, every rotation, and an interleaving.
fn orderings(deliveries: &[WebhookDelivery]) -> Vec<Vec<WebhookDelivery>> {
    let n = deliveries.len();
    let mut out = vec![
        deliveries.to_vec(),
        deliveries.iter().rev().cloned().collect(),
    ];
    for r in 1..n {
        let mut rotated = deliveries.to_vec();
        rotated.rotate_left(r);
        out.push(rotated);
    }
    let (even, odd): (Vec<_>, Vec<_>) = deliveries
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    out.push(odd.into_iter().chain(even).map(|(_, d)| d).collect());
    out
}

struct Expected {
    status: &'static str,
    answered: bool,
    talk: Option<i64>,
    duration: i64,
    voicemail: bool,
}

fn expected(outcome: CallOutcome) -> Expected {
    match outcome {
        CallOutcome::Answered => Expected {
            status: "completed",
            answered: true,
            talk: Some(95),
            duration: 102,
            voicemail: false,
        },
        CallOutcome::Missed => Expected {
            status: "no-answer",
            answered: false,
            talk: None,
            duration: 7,
            voicemail: false,
        },
        CallOutcome::Voicemail => Expected {
            status: "voicemail",
            answered: false,
            talk: None,
            duration: 38,
            voicemail: true,
        },
        CallOutcome::Busy => Expected {
            status: "busy",
            answered: false,
            talk: None,
            duration: 7,
            voicemail: false,
        },
    }
}

async fn every_outcome_in_any_order_and_repeated_ends_in_one_right_row(app: TestApp) {
    for (i, outcome) in [
        CallOutcome::Answered,
        CallOutcome::Missed,
        CallOutcome::Voicemail,
        CallOutcome::Busy,
    ]
    .into_iter()
    .enumerate()
    {
        let (dj, number) = app
            .dj_with_number(
                &format!("dj-outcome-{i}"),
                "DJ <Sparkle> & Co",
                "America/New_York",
            )
            .await;
        let want = expected(outcome);
        for (round, order) in orderings(&scenario(outcome, &number).deliveries())
            .into_iter()
            .enumerate()
        {
            // A fresh call each round, its deliveries reordered and the whole sequence sent twice.
            let base = scenario(outcome, &number);
            let fresh = base.deliveries();
            let mapped: Vec<WebhookDelivery> = order
                .iter()
                .map(|d| fresh.iter().find(|f| f.path == d.path).cloned().unwrap())
                .collect();
            let twice: Vec<WebhookDelivery> = mapped.iter().chain(mapped.iter()).cloned().collect();
            let answers = deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &twice)
                .await
                .unwrap();
            assert!(
                answers.iter().all(|(_, s)| (200..300).contains(s)),
                "{outcome:?} round {round}: {answers:?}"
            );
            let calls = app.calls_of(dj).await;
            let call = calls
                .iter()
                .find(|c| c["call_sid"] == base.call_sid.to_string())
                .unwrap_or_else(|| panic!("{outcome:?} round {round}: no call row"));
            assert_eq!(
                calls
                    .iter()
                    .filter(|c| c["call_sid"] == base.call_sid.to_string())
                    .count(),
                1
            );
            assert_eq!(
                call["call_status"], want.status,
                "{outcome:?} round {round}"
            );
            assert_eq!(call["answered"], want.answered);
            assert_eq!(call["talk_seconds"].as_i64(), want.talk);
            assert_eq!(call["call_duration_seconds"].as_i64(), Some(want.duration));
            assert_eq!(call["voicemail_left"], want.voicemail);
            assert_eq!(call["caller_number"], CALLER);
            assert_eq!(call["virtual_number"], number.as_str());
            assert_eq!(call["source"], "twilio");
            if want.voicemail {
                assert_eq!(call["transcription_status"], "completed");
                assert!(
                    call["transcription_text"]
                        .as_str()
                        .unwrap()
                        .contains("wedding")
                );
            }
            if outcome == CallOutcome::Answered || want.voicemail {
                assert_eq!(call["has_recording"], true);
                assert!(
                    !call.to_string().contains("api.twilio.com"),
                    "the provider's URL must not leak"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_outcome_in_any_order_and_repeated_ends_in_one_right_row_on_sqlite() {
    every_outcome_in_any_order_and_repeated_ends_in_one_right_row(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn every_outcome_in_any_order_and_repeated_ends_in_one_right_row_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        every_outcome_in_any_order_and_repeated_ends_in_one_right_row(app).await;
    }
}

async fn concurrent_deliveries_for_one_call_are_safe(app: TestApp) {
    let (dj, number) = app
        .dj_with_number("dj-concurrent", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    for _ in 0..3 {
        let s = scenario(CallOutcome::Voicemail, &number);
        let deliveries = s.deliveries();
        let sends = deliveries
            .iter()
            .chain(deliveries.iter())
            .map(|d| {
                let base = app.base_url.clone();
                let d = vec![d.clone()];
                tokio::spawn(async move { deliver(&base, SIMULATOR_AUTH_TOKEN, &d).await })
            })
            .collect::<Vec<_>>();
        for send in sends {
            let answers = send.await.unwrap().unwrap();
            assert!(
                answers.iter().all(|(_, s)| (200..300).contains(s)),
                "{answers:?}"
            );
        }
        let calls = app.calls_of(dj).await;
        let matching: Vec<_> = calls
            .iter()
            .filter(|c| c["call_sid"] == s.call_sid.to_string())
            .collect();
        assert_eq!(matching.len(), 1);
        assert_eq!(matching[0]["call_status"], "voicemail");
    }
}

#[tokio::test]
async fn concurrent_deliveries_for_one_call_are_safe_on_sqlite() {
    concurrent_deliveries_for_one_call_are_safe(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn concurrent_deliveries_for_one_call_are_safe_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        concurrent_deliveries_for_one_call_are_safe(app).await;
    }
}

#[tokio::test]
async fn every_webhook_path_refuses_a_bad_or_missing_signature_and_writes_nothing() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-signatures", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    let deliveries = scenario(CallOutcome::Voicemail, &number).deliveries();
    let extra = [
        "/api/djdash/calls/voicemail-complete",
        "/api/djdash/calls/whisper",
        "/api/djdash/calls/whisper-answer",
    ];
    let paths: Vec<&str> = deliveries.iter().map(|d| d.path).chain(extra).collect();
    for path in paths {
        let params = deliveries
            .iter()
            .find(|d| d.path == path)
            .map(|d| d.params.clone())
            .unwrap_or_else(|| deliveries[0].params.clone());
        let url = format!("{}{path}", app.base_url);
        let wrong = compute_signature("not-the-token", &url, &params);
        let right_for_other_params = compute_signature(
            SIMULATOR_AUTH_TOKEN,
            &url,
            &[("CallSid".into(), "CAx".into())],
        );
        for signature in [
            None,
            Some(wrong),
            Some(right_for_other_params),
            Some("garbage".to_string()),
        ] {
            let mut request = app.client.post(&url).form(&params);
            if let Some(signature) = signature {
                request = request.header("X-Twilio-Signature", signature);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 403, "{path}");
        }
    }
    assert!(app.calls_of(dj).await.is_empty());
    let sid = deliveries[0]
        .params
        .iter()
        .find(|(k, _)| k == "CallSid")
        .unwrap()
        .1
        .clone();
    assert!(app.app.store.voice_events(&sid).await.unwrap().is_empty());
}

#[tokio::test]
async fn extra_unknown_parameters_are_signed_and_accepted() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-extra", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    let mut deliveries = scenario(CallOutcome::Answered, &number).deliveries();
    for d in &mut deliveries {
        d.params
            .push(("StirVerstat".into(), "TN-Validation-Passed-A".into()));
        d.params.push(("SomethingNew".into(), "1".into()));
    }
    let answers = deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &deliveries)
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, s)| (200..300).contains(s)),
        "{answers:?}"
    );
    assert_eq!(app.calls_of(dj).await[0]["call_status"], "completed");
}

async fn post_signed(app: &TestApp, path: &str, params: &[(String, String)]) -> (u16, String) {
    let url = format!("{}{path}", app.base_url);
    let response = app
        .client
        .post(&url)
        .header(
            "X-Twilio-Signature",
            compute_signature(SIMULATOR_AUTH_TOKEN, &url, params),
        )
        .form(params)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

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
