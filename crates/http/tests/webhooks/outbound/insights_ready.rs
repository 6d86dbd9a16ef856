//! `insights.ready` (SPEC §14) once per call, on both paths that store a conversation's
//! insights: a Real-Time Transcription segment that arrives after the call ended raises it in
//! the segment's transaction (the voice webhooks had no words to analyse), and Twilio's repeats
//! raise nothing more; segments during a call raise nothing until the call is over, when the
//! voice fold raises it with the whole conversation's insights.

use super::contacts::queued_events;
use super::receiver::Receiver;
use super::*;
use djcalls_telephony::simulate_transcription::parse_conversation;
use djcalls_telephony::{WebhookDelivery, paths};

djcalls_testkit::on_both_backends! { TestApp:
    insights_ready_is_raised_once_per_call_by_transcript_segments_too => insights_ready;
}

const WEDDING: &str = "dj: DJ Mo speaking, how can I help?\n\
    caller: Hi, we're planning a wedding on June 14th.\n\
    dj: Congratulations! How many guests?\n\
    caller: About 150 people. Are you available and what do you charge?";

fn answered(number: &PhoneNumber) -> CallScenario {
    let mut s = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse("+14155550123").unwrap(),
        number.clone(),
    );
    s.conversation = parse_conversation(WEDDING).unwrap();
    s
}

fn is_segment(d: &WebhookDelivery) -> bool {
    d.path == paths::CALL_TRANSCRIPTION
}

async fn send(served: &ServedApp, deliveries: &[WebhookDelivery]) {
    let answers = deliver(&served.base_url, SIMULATOR_AUTH_TOKEN, deliveries)
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, code)| (200..300).contains(code)),
        "{answers:?}"
    );
}

async fn insights_queued(t: &TestApp) -> usize {
    super::contacts::count(&queued_events(t).await, "insights.ready")
}

async fn insights_ready(t: TestApp) {
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let (_, secret) = endpoint(&t, &served, &receiver.url, &["insights.ready"]).await;
    let (dj, number) = t
        .dj_with_number("dj-hooks-insights", "DJ Insights", "America/New_York")
        .await;

    // The transcription's tail: every segment after the call's last voice webhook.
    let late = answered(&number);
    let (segments, voice): (Vec<_>, Vec<_>) = late.deliveries().into_iter().partition(is_segment);
    send(&served, &voice).await;
    assert_eq!(insights_queued(&t).await, 0, "no words yet");
    send(&served, &segments).await;
    assert_eq!(
        insights_queued(&t).await,
        1,
        "queued with the segments' insights"
    );
    send(&served, &segments).await; // Twilio repeats them: nothing new
    assert_eq!(insights_queued(&t).await, 1);

    // Segments during the call: nothing until it is over.
    let live = answered(&number);
    let deliveries = live.deliveries();
    let talk_ends = deliveries.iter().rposition(is_segment).unwrap() + 1;
    send(&served, &deliveries[..talk_ends]).await;
    assert_eq!(
        insights_queued(&t).await,
        1,
        "a call in progress raises none"
    );
    send(&served, &deliveries[talk_ends..]).await;
    assert_eq!(insights_queued(&t).await, 2);

    served.app.run_due_jobs().await;
    let got = receiver.wait_for(2).await;
    served.app.run_due_jobs().await;
    assert_eq!(receiver.received().len(), 2, "one per call");
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    let calls = t.calls_of(dj).await;
    let mut ids: Vec<Value> = got
        .iter()
        .map(|r| r.json()["data"]["call_id"].clone())
        .collect();
    ids.sort_by_key(|v| v.to_string());
    let mut expected: Vec<Value> = calls.iter().map(|c| c["id"].clone()).collect();
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(ids, expected);
    for body in got.iter().map(|r| r.json()) {
        assert_eq!(body["type"], json!("insights.ready"));
        assert!(body["data"]["insights"].is_object(), "{body}");
    }
    // The live call's event carries the whole conversation's insights.
    let live_body = got
        .iter()
        .map(|r| r.json())
        .find(|b| b["data"]["call_id"] == calls[0]["id"])
        .unwrap();
    assert_eq!(live_body["data"]["insights"]["guest_count"], json!(150));
    assert_eq!(live_body["data"]["event_type"], json!("wedding"));
}
