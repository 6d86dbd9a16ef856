//! Tests of the webhook payload parsers, with parameter sets shaped like Twilio's.

use super::*;

fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
    raw.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn an_incoming_call_parses_with_unknown_parameters_ignored() {
    let call = IncomingCall::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("From", "+14155552671"),
        ("To", "+14155550100"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("CallerName", "JANE DOE"),
        ("ForwardedFrom", ""),
        ("StirVerstat", "TN-Validation-Passed-A"),
        ("CallToken", "%7B%22parentCallInfoToken%22"),
    ]))
    .unwrap();
    assert_eq!(call.call_sid.as_str(), "CA0123456789abcdef0123456789abcdef");
    assert_eq!(call.from.as_str(), "+14155552671");
    assert_eq!(call.call_status, Some(TwilioCallStatus::Ringing));
    assert_eq!(call.caller_name.unwrap().as_str(), "JANE DOE");
    assert_eq!(call.forwarded_from, None);
}

#[test]
fn a_webhook_without_its_key_sid_is_refused() {
    let err = IncomingCall::from_pairs(&pairs(&[("From", "+1"), ("To", "+2")])).unwrap_err();
    assert_eq!(err, WebhookError::MissingParameter("CallSid"));
    let err = IncomingSms::from_pairs(&pairs(&[("MessageSid", "  ")])).unwrap_err();
    assert_eq!(err, WebhookError::MissingParameter("MessageSid"));
}

#[test]
fn a_dial_action_carries_duration_in_seconds_and_the_bridge_flag() {
    let dial = DialAction::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("CallStatus", "in-progress"),
        ("DialCallStatus", "completed"),
        ("DialCallSid", "CA0123456789abcdef0123456789abcde2"),
        ("DialCallDuration", "95"),
        ("DialBridged", "true"),
    ]))
    .unwrap();
    assert_eq!(dial.dial_call_status, Some(DialCallStatus::Completed));
    assert_eq!(dial.dial_call_duration_secs, Some(95));
    assert_eq!(dial.dial_bridged, Some(true));
    assert!(answered(&dial));
}

#[test]
fn a_dial_answered_but_not_bridged_is_not_a_connected_call() {
    let dial = DialAction::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("DialCallStatus", "completed"),
        ("DialBridged", "false"),
    ]))
    .unwrap();
    assert!(!answered(&dial));
    let missed = DialAction::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("DialCallStatus", "no-answer"),
    ]))
    .unwrap();
    assert!(!answered(&missed));
}

#[test]
fn odd_numeric_values_become_none_instead_of_failing() {
    let status = CallStatusCallback::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("CallStatus", "completed"),
        ("CallDuration", ""),
        ("SequenceNumber", "x"),
    ]))
    .unwrap();
    assert_eq!(status.call_duration_secs, None);
    assert_eq!(status.sequence_number, None);
}

#[test]
fn a_call_status_callback_parses_duration_and_timestamp() {
    let status = CallStatusCallback::from_form_body(
        b"CallSid=CA0123456789abcdef0123456789abcdef&CallStatus=completed&CallDuration=127&Timestamp=Tue%2C+02+Jun+2026+18%3A30%3A00+%2B0000&SequenceNumber=3",
    )
    .unwrap();
    assert_eq!(status.call_status, Some(TwilioCallStatus::Completed));
    assert_eq!(status.call_duration_secs, Some(127));
    assert_eq!(
        status.timestamp.as_deref(),
        Some("Tue, 02 Jun 2026 18:30:00 +0000")
    );
    assert_eq!(status.sequence_number, Some(3));
}

#[test]
fn a_transcription_callback_keeps_the_text_private_in_debug_output() {
    let t = TranscriptionCallback::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("TranscriptionText", "Hi, call me back at 415 555 2671"),
        ("TranscriptionStatus", "completed"),
        ("RecordingSid", "RE1"),
        (
            "RecordingUrl",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        ),
        ("RecordingDuration", "14"),
    ]))
    .unwrap();
    assert_eq!(t.transcription_status, Some(TranscriptionStatus::Completed));
    assert_eq!(t.recording_duration_secs, Some(14));
    assert!(!format!("{t:?}").contains("555"));
}

#[test]
fn a_recording_status_callback_parses_channels_and_source() {
    let r = RecordingStatusCallback::from_pairs(&pairs(&[
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("RecordingSid", "RE1"),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "61"),
        ("RecordingChannels", "2"),
        ("RecordingSource", "DialVerb"),
    ]))
    .unwrap();
    assert_eq!(r.recording_status, Some(RecordingStatus::Completed));
    assert_eq!(r.recording_channels, Some(2));
    assert_eq!(r.recording_source.as_deref(), Some("DialVerb"));
}

#[test]
fn an_incoming_sms_parses_and_masks_its_sender_in_debug_output() {
    let sms = IncomingSms::from_form_body(
        b"MessageSid=SM1&From=%2B14155552671&To=%2B14155550100&Body=STOP&NumMedia=0&Extra=1",
    )
    .unwrap();
    assert_eq!(sms.body_text(), "STOP");
    assert_eq!(sms.num_media, Some(0));
    let debug = format!("{sms:?}");
    assert!(!debug.contains("4155552671"), "{debug}");
}

#[test]
fn an_sms_status_callback_with_21610_reports_an_opted_out_recipient() {
    let s = SmsStatusCallback::from_pairs(&pairs(&[
        ("MessageSid", "SM1"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "21610"),
    ]))
    .unwrap();
    assert_eq!(s.status(), Some(&MessageStatus::Undelivered));
    assert!(s.recipient_opted_out());
}

#[test]
fn an_sms_status_callback_falls_back_to_sms_status_and_keeps_unknown_values() {
    let s = SmsStatusCallback::from_pairs(&pairs(&[
        ("MessageSid", "SM1"),
        ("SmsStatus", "partially_delivered"),
    ]))
    .unwrap();
    assert_eq!(
        s.status(),
        Some(&MessageStatus::Other("partially_delivered".into()))
    );
    assert!(!s.recipient_opted_out());
}

#[test]
fn for_a_repeated_parameter_the_first_value_wins() {
    let sms = IncomingSms::from_pairs(&pairs(&[
        ("MessageSid", "SM1"),
        ("From", "+14155552671"),
        ("To", "+14155550100"),
        ("Body", "first"),
        ("Body", "second"),
    ]))
    .unwrap();
    assert_eq!(sms.body_text(), "first");
}

/// The call flow's rule for "the DJ answered": the dial picked up and the legs were bridged.
fn answered(dial: &DialAction) -> bool {
    djcalls_domain::voice::CallFacts::fold(&[dial.dial_event()]).answered
}
