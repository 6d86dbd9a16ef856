//! Wire → domain: each voice webhook becomes the event the call fold expects.

use super::*;
use crate::webhooks::Webhook;

const SID: &str = "CA0123456789abcdef0123456789abcdef";

fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
    raw.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn wire_statuses_map_to_the_same_stored_strings() {
    for raw in [
        "queued",
        "Ringing",
        "in-progress",
        "initiated",
        "answered",
        "Odd",
    ] {
        let wire = TwilioCallStatus::parse(raw);
        assert_eq!(LegStatus::from(&wire).as_str(), wire.as_str(), "{raw}");
    }
    for raw in ["completed", "answered", "no-answer", "canceled", "Odd"] {
        let wire = DialCallStatus::parse(raw);
        assert_eq!(DialOutcome::from(&wire).as_str(), wire.as_str(), "{raw}");
    }
    assert_eq!(
        LegStatus::from(&TwilioCallStatus::parse("initiated")),
        LegStatus::Initiated
    );
}

#[test]
fn a_dial_without_a_status_is_no_answer() {
    let dial = DialAction::from_pairs(&pairs(&[("CallSid", SID)])).unwrap();
    assert_eq!(
        dial.dial_event(),
        VoiceEvent::Dial {
            status: DialOutcome::NoAnswer,
            duration_secs: None,
            bridged: None,
        }
    );
    assert_eq!(dial.voicemail_event(), None);
}

#[test]
fn only_completed_recordings_count_and_record_verb_ones_are_voicemails() {
    let base = [
        ("CallSid", SID),
        ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
        ("RecordingSource", "RecordVerb"),
    ];
    let done = RecordingStatusCallback::from_pairs(&pairs(&base)).unwrap();
    assert!(matches!(
        done.event(),
        Some(VoiceEvent::Recording {
            voicemail: true,
            ..
        })
    ));
    let mut failed = base.to_vec();
    failed.push(("RecordingStatus", "failed"));
    let failed = RecordingStatusCallback::from_pairs(&pairs(&failed)).unwrap();
    assert_eq!(failed.event(), None);
}

#[test]
fn a_status_callback_without_a_status_is_no_event_and_a_bare_transcription_failed() {
    let status = CallStatusCallback {
        call_status: None,
        ..CallStatusCallback::from_pairs(&pairs(&[("CallSid", SID), ("CallStatus", "ringing")]))
            .unwrap()
    };
    assert_eq!(status.event(), None);
    let t = TranscriptionCallback::from_pairs(&pairs(&[("CallSid", SID)])).unwrap();
    assert!(matches!(
        t.event(),
        VoiceEvent::Transcription {
            status: TranscriptionOutcome::Failed,
            ..
        }
    ));
}

#[test]
fn a_call_to_something_that_is_not_a_phone_number_has_no_event() {
    let call = IncomingCall::from_pairs(&pairs(&[
        ("CallSid", SID),
        ("From", "+14155550100"),
        ("To", "client:alice"),
    ]))
    .unwrap();
    assert_eq!(call.event(), None);
}
