//! Signatures on every webhook path: refusals write nothing; extra signed params are accepted.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::{CallOutcome, compute_signature, deliver};
use djcalls_testkit::TestApp;

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
    assert!(app.db.store.voice_events(&sid).await.unwrap().is_empty());
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

djcalls_testkit::on_both_backends! { TestApp:
    a_replay_with_a_duplicated_pair_adds_no_event => replay_with_a_duplicated_pair;
}

/// The signature check accepts a signature over each distinct pair once even when the body
/// repeats a pair; such a replay must still be recognised as the same delivery.
async fn replay_with_a_duplicated_pair(app: TestApp) {
    let (_, number) = app
        .dj_with_number("dj-replay", "DJ Replay", "America/New_York")
        .await;
    let first = scenario(CallOutcome::Answered, &number).deliveries()[0].clone();
    let sid = first
        .params
        .iter()
        .find(|(k, _)| k == "CallSid")
        .unwrap()
        .1
        .clone();
    let (status, _) = post_signed(&app, first.path, &first.params).await;
    assert_eq!(status, 200);
    assert_eq!(app.db.store.voice_events(&sid).await.unwrap().len(), 1);

    let url = format!("{}{}", app.base_url, first.path);
    let signed_once = compute_signature(SIMULATOR_AUTH_TOKEN, &url, &first.params);
    for (key, value) in first.params.clone() {
        let mut replay = first.params.clone();
        replay.push((key.clone(), value));
        let response = app
            .client
            .post(&url)
            .header("X-Twilio-Signature", &signed_once)
            .form(&replay)
            .send()
            .await
            .unwrap();
        // Answered as the original (200), or refused as unusable where a field must be single.
        let status = response.status().as_u16();
        assert!(status == 200 || status == 400, "{key} duplicated: {status}");
    }
    assert_eq!(app.db.store.voice_events(&sid).await.unwrap().len(), 1);
}
