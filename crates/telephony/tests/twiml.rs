//! Snapshots of the TwiML documents djcalls answers Twilio with.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use djcalls_telephony::twiml::{Dial, DialRecording, Method, Number, Record, Response, Say};
use djcalls_telephony::{whisper_answer, whisper_prompt};

const BASE: &str = "https://calls.example.com";

#[test]
fn forwarding_to_the_dj_with_a_whisper_and_recording() {
    let xml = Response::new()
        .say(Say::new("This call may be recorded.").voice("Polly.Joanna"))
        .dial(Dial {
            action: Some(format!("{BASE}/api/djdash/calls/dial-status")),
            method: Some(Method::Post),
            timeout_secs: Some(20),
            caller_id: Some("+14155550100".into()),
            record: Some(DialRecording::RecordFromAnswerDual),
            recording_status_callback: Some(format!("{BASE}/api/djdash/calls/recording")),
            recording_status_callback_event: Some("completed".into()),
            answer_on_bridge: Some(true),
            numbers: vec![
                Number::new("+14155552671").whisper_url(format!("{BASE}/api/djdash/calls/whisper")),
            ],
        })
        .to_xml();
    insta::assert_snapshot!("forward_to_dj", xml);
}

#[test]
fn voicemail_prompt_then_record_with_transcription() {
    let xml = Response::new()
        .say(Say::new(
            "Sorry, DJ Sam can't take your call right now. Please leave a message after the beep.",
        ))
        .record(Record {
            action: Some(format!("{BASE}/api/djdash/calls/voicemail-complete")),
            method: Some(Method::Post),
            max_length_secs: Some(120),
            play_beep: Some(true),
            transcribe: Some(true),
            transcribe_callback: Some(format!("{BASE}/api/djdash/calls/voicemail")),
            recording_status_callback: Some(format!("{BASE}/api/djdash/calls/recording")),
            timeout_secs: Some(5),
            finish_on_key: Some("#".into()),
        })
        .hangup()
        .to_xml();
    insta::assert_snapshot!("voicemail_prompt", xml);
}

#[test]
fn number_not_in_service_is_a_polite_message_and_hang_up() {
    let xml = Response::new()
        .say(
            Say::new("We're sorry, the number you have called is not in service. Goodbye.")
                .language("en-US"),
        )
        .pause(1)
        .hangup()
        .to_xml();
    insta::assert_snapshot!("not_in_service", xml);
}

#[test]
fn a_dj_name_with_markup_characters_is_escaped() {
    let xml = Response::new()
        .say(Say::new(r#"You've reached DJ "Tom & Jerry" <Live>."#))
        .redirect(format!("{BASE}/next?a=1&b=2"), Some(Method::Post))
        .to_xml();
    insta::assert_snapshot!("escaped_dj_name", xml);
}

#[test]
fn the_whisper_asks_the_dj_to_press_one() {
    insta::assert_snapshot!(
        "whisper_prompt",
        whisper_prompt(&format!("{BASE}/api/djdash/calls/whisper-answer")).to_xml()
    );
    insta::assert_snapshot!("whisper_accepted", whisper_answer(Some("1")).to_xml());
    insta::assert_snapshot!("whisper_declined", whisper_answer(Some("9")).to_xml());
}

#[test]
fn play_and_pause_render_as_twilio_expects() {
    let xml = Response::new()
        .play("https://cdn.example.com/hold.mp3")
        .pause(2)
        .to_xml();
    assert_eq!(
        xml,
        r#"<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://cdn.example.com/hold.mp3</Play><Pause length="2"/></Response>"#
    );
}
