use super::*;

fn form(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("TranscriptionSid", "GT0123456789abcdef0123456789abcdef"),
        ("TranscriptionEvent", "transcription-content"),
        ("LanguageCode", "en-US"),
    ];
    pairs.extend_from_slice(extra);
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse(extra: &[(&str, &str)]) -> Result<RealtimeTranscriptionCallback, WebhookError> {
    RealtimeTranscriptionCallback::from_pairs(&form(extra))
}

#[test]
fn a_final_caller_utterance_is_a_segment() {
    let callback = parse(&[
        (
            "TranscriptionData",
            r#"{"transcript":"We need a DJ for June 14th","confidence":0.93}"#,
        ),
        ("Track", "inbound_track"),
        ("Final", "true"),
        ("SequenceId", "7"),
    ])
    .unwrap();
    let segment = callback.final_segment().unwrap();
    assert_eq!(segment.sequence_id, 7);
    assert_eq!(segment.speaker, Speaker::Caller);
    assert_eq!(segment.text, "We need a DJ for June 14th");
}

#[test]
fn the_outbound_track_is_the_dj_and_partial_results_are_no_segment() {
    let data = r#"{"transcript":"Happy to help"}"#;
    let dj = parse(&[
        ("TranscriptionData", data),
        ("Track", "outbound_track"),
        ("Final", "true"),
        ("SequenceId", "2"),
    ])
    .unwrap();
    assert_eq!(dj.final_segment().unwrap().speaker, Speaker::Dj);
    let partial = parse(&[
        ("TranscriptionData", data),
        ("Track", "outbound_track"),
        ("Final", "false"),
        ("SequenceId", "3"),
    ])
    .unwrap();
    assert_eq!(partial.final_segment(), None);
}

#[test]
fn a_card_number_is_redacted_when_parsed() {
    let callback = parse(&[
        (
            "TranscriptionData",
            r#"{"transcript":"my card is 4111 1111 1111 1111"}"#,
        ),
        ("Track", "inbound_track"),
        ("Final", "true"),
        ("SequenceId", "1"),
    ])
    .unwrap();
    let text = callback.final_segment().unwrap().text;
    assert!(!text.contains("1111"), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
}

#[test]
fn transcription_data_that_is_not_json_with_a_transcript_is_refused() {
    for bad in ["not json", r#"{"text":"hello"}"#, r#"["transcript"]"#] {
        let refused = parse(&[
            ("TranscriptionData", bad),
            ("Track", "inbound_track"),
            ("Final", "true"),
            ("SequenceId", "1"),
        ]);
        assert!(
            matches!(refused, Err(WebhookError::Malformed(_))),
            "{bad}: {refused:?}"
        );
    }
    assert!(matches!(
        parse(&[]),
        Err(WebhookError::MissingParameter("TranscriptionData"))
    ));
}

#[test]
fn the_other_events_carry_no_segment() {
    let mut pairs = form(&[]);
    pairs.retain(|(k, _)| k != "TranscriptionEvent");
    pairs.push(("TranscriptionEvent".into(), "transcription-stopped".into()));
    let stopped = RealtimeTranscriptionCallback::from_pairs(&pairs).unwrap();
    assert_eq!(stopped.final_segment(), None);
}
