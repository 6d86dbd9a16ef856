//! Tests of the simulated webhook sequences and their delivery.

use super::*;
use crate::signature::verify_signature;
use crate::webhooks::{
    CallStatusCallback, DialAction, IncomingCall, RecordingStatusCallback, TranscriptionCallback,
    Webhook,
};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn scenario(outcome: CallOutcome) -> CallScenario {
    CallScenario::new(
        outcome,
        PhoneNumber::parse("+14155552671").unwrap(),
        PhoneNumber::from_trusted_e164("+14155550100"),
    )
}

fn paths_of(deliveries: &[WebhookDelivery]) -> Vec<&'static str> {
    deliveries.iter().map(|d| d.path).collect()
}

fn param<'a>(delivery: &'a WebhookDelivery, key: &str) -> Option<&'a str> {
    delivery
        .params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn an_answered_call_rings_bridges_records_and_completes() {
    let s = scenario(CallOutcome::Answered);
    let d = s.deliveries();
    assert_eq!(
        paths_of(&d),
        [
            paths::CALL_INCOMING,
            paths::CALL_DIAL_STATUS,
            paths::CALL_RECORDING,
            paths::CALL_STATUS
        ]
    );
    let incoming = IncomingCall::from_pairs(&d[0].params).unwrap();
    assert_eq!(incoming.call_sid, s.call_sid);
    assert_eq!(incoming.to.as_str(), "+14155550100");

    let dial = DialAction::from_pairs(&d[1].params).unwrap();
    assert!(answered(&dial));
    assert_eq!(dial.dial_call_duration_secs, Some(95));

    let recording = RecordingStatusCallback::from_pairs(&d[2].params).unwrap();
    assert_eq!(recording.recording_channels, Some(2));
    assert!(recording.recording_sid.starts_with("RE"));

    let status = CallStatusCallback::from_pairs(&d[3].params).unwrap();
    assert_eq!(status.call_duration_secs, Some(8 + 95));
    assert_eq!(param(&d[3], "CallStatus"), Some("completed"));
}

#[test]
fn a_voicemail_call_posts_the_recording_then_the_transcript() {
    let mut s = scenario(CallOutcome::Voicemail);
    s.ring_secs = 20;
    s.voicemail_secs = 14;
    let d = s.deliveries();
    assert_eq!(
        paths_of(&d),
        [
            paths::CALL_INCOMING,
            paths::CALL_DIAL_STATUS,
            paths::CALL_RECORDING,
            paths::CALL_VOICEMAIL,
            paths::CALL_STATUS
        ]
    );
    assert_eq!(param(&d[1], "DialCallStatus"), Some("no-answer"));
    assert_eq!(param(&d[1], "DialBridged"), Some("false"));
    let t = TranscriptionCallback::from_pairs(&d[3].params).unwrap();
    assert_eq!(t.transcription_text.unwrap().as_str(), DEFAULT_TRANSCRIPT);
    assert_eq!(t.recording_sid.as_deref(), param(&d[2], "RecordingSid"));
    let url = t.recording_url.unwrap();
    assert!(
        url.starts_with("https://api.twilio.com/2010-04-01/Accounts/AC"),
        "{url}"
    );
    assert_eq!(param(&d[4], "CallDuration"), Some("34"));
}

#[test]
fn missed_and_busy_calls_have_no_recording_and_last_only_the_ringing() {
    for (outcome, dial_status) in [
        (CallOutcome::Missed, "no-answer"),
        (CallOutcome::Busy, "busy"),
    ] {
        let s = scenario(outcome);
        let d = s.deliveries();
        assert_eq!(
            paths_of(&d),
            [
                paths::CALL_INCOMING,
                paths::CALL_DIAL_STATUS,
                paths::CALL_STATUS
            ]
        );
        assert_eq!(param(&d[1], "DialCallStatus"), Some(dial_status));
        assert_eq!(param(&d[2], "CallDuration"), Some("8"));
        assert_eq!(s.talk_secs(), 0);
    }
}

#[test]
fn every_delivery_of_a_call_carries_the_same_call_sid() {
    let s = scenario(CallOutcome::Voicemail);
    for d in s.deliveries() {
        assert_eq!(
            param(&d, "CallSid"),
            Some(s.call_sid.as_str()),
            "{}",
            d.path
        );
    }
}

#[tokio::test]
async fn delivered_webhooks_carry_signatures_that_verify() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let s = scenario(CallOutcome::Voicemail);
    let deliveries = s.deliveries();
    let answers = deliver(&format!("{}/", server.uri()), TOKEN, &deliveries)
        .await
        .unwrap();
    assert_eq!(answers.len(), deliveries.len());
    assert!(answers.iter().all(|(_, status)| *status == 200));

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), deliveries.len());
    for (request, delivery) in received.iter().zip(&deliveries) {
        assert_eq!(request.url.path(), delivery.path);
        let header = request
            .headers
            .get(SIGNATURE_HEADER)
            .unwrap()
            .to_str()
            .unwrap();
        let params = crate::webhooks::parse_form(&request.body);
        assert_eq!(params, delivery.params);
        let url = format!("{}{}", server.uri(), delivery.path);
        assert!(
            verify_signature(TOKEN, &url, &params, header),
            "{}",
            delivery.path
        );
        assert!(!verify_signature("wrong-token", &url, &params, header));
    }
}

#[tokio::test]
async fn deliveries_can_be_signed_for_a_public_url_other_than_the_one_posted_to() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let deliveries = scenario(CallOutcome::Missed).deliveries();
    let public = "https://calls.example.com";
    let answers = deliver_to(&server.uri(), public, TOKEN, &deliveries)
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, status)| *status == 403),
        "non-2xx does not stop the run"
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), deliveries.len());
    let first = &received[0];
    let header = first
        .headers
        .get(SIGNATURE_HEADER)
        .unwrap()
        .to_str()
        .unwrap();
    let params = crate::webhooks::parse_form(&first.body);
    let public_url = format!("{public}{}", paths::CALL_INCOMING);
    assert!(verify_signature(TOKEN, &public_url, &params, header));
}

/// The call flow's rule for "the DJ answered": the dial picked up and the legs were bridged.
fn answered(dial: &DialAction) -> bool {
    djcalls_domain::voice::CallFacts::fold(&[dial.dial_event()]).answered
}
