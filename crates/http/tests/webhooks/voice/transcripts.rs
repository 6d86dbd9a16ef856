//! Transcripts of answered calls over HTTP (SPEC §12): the TwiML starts Real-Time
//! Transcription, signed segment callbacks assemble the conversation whatever their order or
//! repetition, early segments wait for their call, bad data writes nothing, the transcript is
//! capped, the conversation is analysed, and a spoken card number is never stored.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_domain::transcript::TRANSCRIPT_CAP_BYTES;
use djcalls_telephony::simulate_transcription::parse_conversation;
use djcalls_telephony::{CallOutcome, CallScenario, WebhookDelivery, deliver, paths};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

const WEDDING: &str = "dj: DJ Mo speaking, how can I help?\n\
    caller: Hi, we're planning a wedding on June 14th.\n\
    dj: Congratulations! How many guests?\n\
    caller: About 150 people. Are you available and what do you charge?";

const QUINCE: &str = "dj: Buenas tardes, habla DJ Mo.\n\
    caller: Hola, buenas tardes. Le hablo para preguntar por la quinceañera de mi hija, es el 25 de julio en el salón Los Arcos.\n\
    dj: Con gusto. ¿Cuántas personas?\n\
    caller: Vamos a ser como doscientos invitados. ¿Cuánto cobra usted?";

fn answered(number: &PhoneNumber, conversation: &str) -> CallScenario {
    let mut s = scenario(CallOutcome::Answered, number);
    s.conversation = parse_conversation(conversation).unwrap();
    s
}

fn is_transcription(d: &WebhookDelivery) -> bool {
    d.path == paths::CALL_TRANSCRIPTION
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
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls[0].clone()
}

fn wedding_lines() -> Value {
    json!([
        {"speaker": "dj", "text": "DJ Mo speaking, how can I help?"},
        {"speaker": "caller", "text": "Hi, we're planning a wedding on June 14th."},
        {"speaker": "dj", "text": "Congratulations! How many guests?"},
        {"speaker": "caller", "text": "About 150 people. Are you available and what do you charge?"},
    ])
}

async fn the_answer_starts_transcribing_both_tracks_before_the_dial(t: TestApp) {
    let (_, number) = t
        .dj_with_number("dj-rtt", "DJ Rtt", "America/New_York")
        .await;
    let incoming = &scenario(CallOutcome::Answered, &number).deliveries()[0];
    let (status, xml) = post_signed(&t, incoming.path, &incoming.params).await;
    assert_eq!(status, 200);
    let start = format!(
        "<Start><Transcription statusCallbackUrl=\"{}/api/djdash/calls/transcription\" track=\"both_tracks\"",
        t.base_url
    );
    let at = xml.find(&start).unwrap_or_else(|| panic!("{xml}"));
    assert!(at < xml.find("<Dial").unwrap(), "{xml}");
}

async fn shuffled_and_repeated_segments_make_one_conversation(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-rtt-order", "DJ Order", "America/New_York")
        .await;
    let (mut segments, rest): (Vec<_>, Vec<_>) = answered(&number, WEDDING)
        .deliveries()
        .into_iter()
        .partition(is_transcription);
    send(&t, &rest[..1]).await; // incoming
    segments.reverse();
    let again = segments.clone();
    send(&t, &segments).await;
    send(&t, &again[1..3]).await;
    send(&t, &rest[1..]).await;
    let call = only_call(&t, dj).await;
    assert_eq!(call["transcript"], wedding_lines());
    assert_eq!(call["call_status"], "completed");
    // The conversation is analysed like a voicemail (the test clock says 2026-06-15).
    assert_eq!(call["insights"]["event_type"], "wedding");
    assert_eq!(call["insights"]["event_date"], "2027-06-14");
    assert_eq!(call["insights"]["guest_count"], 150);
    assert_eq!(call["event_type"], "wedding");
    assert_eq!(call["lead_score"], "hot");
}

async fn segments_before_the_call_are_applied_when_it_appears(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-rtt-early", "DJ Early", "America/New_York")
        .await;
    let (segments, rest): (Vec<_>, Vec<_>) = answered(&number, WEDDING)
        .deliveries()
        .into_iter()
        .partition(is_transcription);
    send(&t, &segments).await;
    assert!(t.calls_of(dj).await.is_empty(), "no call yet");
    send(&t, &rest).await;
    let call = only_call(&t, dj).await;
    assert_eq!(call["transcript"], wedding_lines());
    assert_eq!(call["insights"]["event_type"], "wedding");
}

async fn malformed_transcription_data_is_refused_and_writes_nothing(t: TestApp) {
    let (_, number) = t
        .dj_with_number("dj-rtt-bad", "DJ Bad", "America/New_York")
        .await;
    let deliveries = answered(&number, WEDDING).deliveries();
    send(&t, &deliveries[..1]).await;
    // The call's row (projected after the answer on PostgreSQL) is there before the snapshot.
    t.app.project_pending().await.unwrap();
    let good = deliveries
        .iter()
        .find(|d| is_transcription(d) && d.params.iter().any(|(k, _)| k == "TranscriptionData"))
        .unwrap();
    let before = t.db.contents().await;
    for bad in ["{not json", r#"{"text":"hi"}"#, "[1,2]", ""] {
        let mut params = good.params.clone();
        params.retain(|(k, _)| k != "TranscriptionData");
        if !bad.is_empty() {
            params.push(("TranscriptionData".into(), bad.into()));
        }
        let (status, _) = post_signed(&t, paths::CALL_TRANSCRIPTION, &params).await;
        assert_eq!(status, 400, "{bad:?}");
    }
    assert_eq!(t.db.contents().await, before, "nothing written");
}

async fn an_enormous_transcript_is_capped_and_the_call_goes_on(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-rtt-cap", "DJ Cap", "America/New_York")
        .await;
    let long = "we would love a dance floor full all night ".repeat(350); // ~15 KB a line
    let conversation: String = (0..8).map(|_| format!("caller: {long}\n")).collect();
    send(&t, &answered(&number, &conversation).deliveries()).await;
    let call = only_call(&t, dj).await;
    assert_eq!(call["call_status"], "completed");
    let lines = call["transcript"].as_array().unwrap();
    let bytes: usize = lines
        .iter()
        .map(|l| l["text"].as_str().unwrap().len())
        .sum();
    assert!(bytes <= TRANSCRIPT_CAP_BYTES, "{bytes}");
    assert!(bytes > TRANSCRIPT_CAP_BYTES - long.len(), "{bytes}");
    assert!(lines.len() < 8);
}

async fn a_spanish_quinceanera_call_is_read_as_one(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-rtt-es", "DJ Es", "America/New_York")
        .await;
    send(&t, &answered(&number, QUINCE).deliveries()).await;
    let call = only_call(&t, dj).await;
    assert_eq!(call["insights"]["language"], "es", "{call}");
    assert_eq!(call["insights"]["event_type"], "quinceanera");
    assert_eq!(call["event_type"], "quinceanera");
    assert_eq!(call["insights"]["guest_count"], 200);
    assert_eq!(call["transcript"][1]["speaker"], "caller");
}

async fn a_card_number_said_on_the_call_is_never_stored(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-rtt-card", "DJ Card", "America/New_York")
        .await;
    let said = "caller: To hold the date my card is 4111 1111 1111 1111 security code 123\n\
        dj: Please don't read card numbers on the phone.";
    send(&t, &answered(&number, said).deliveries()).await;
    let call = only_call(&t, dj).await;
    let first = call["transcript"][0]["text"].as_str().unwrap();
    assert!(first.contains("[redacted]"), "{first}");
    let everything = format!("{:?}", t.db.contents().await);
    for leaked in ["4111 1111 1111 1111", "4111111111111111", "code 123"] {
        assert!(!everything.contains(leaked), "{leaked} is stored");
    }
}

djcalls_testkit::on_both_backends! { TestApp:
    rtt_twiml => the_answer_starts_transcribing_both_tracks_before_the_dial;
    rtt_order => shuffled_and_repeated_segments_make_one_conversation;
    rtt_early => segments_before_the_call_are_applied_when_it_appears;
    rtt_malformed => malformed_transcription_data_is_refused_and_writes_nothing;
    rtt_cap => an_enormous_transcript_is_capped_and_the_call_goes_on;
    rtt_spanish => a_spanish_quinceanera_call_is_read_as_one;
    rtt_card => a_card_number_said_on_the_call_is_never_stored;
}
