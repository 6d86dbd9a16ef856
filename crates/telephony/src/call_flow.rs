//! TwiML for the domain's `CallDecision`s: where Twilio posts back (our webhook paths under
//! `PUBLIC_BASE_URL`), how recordings and transcriptions are asked for, the whisper.

use crate::paths;
use crate::twiml::{Dial, DialRecording, Method, Number, Record, Response, Say, Transcription};
use djcalls_domain::voice::CallDecision;

/// The TwiML that carries out `decision`; callbacks point at `public_base_url`.
pub fn call_flow_twiml(decision: &CallDecision, public_base_url: &str) -> Response {
    let url = |path: &str| format!("{public_base_url}{path}");
    match decision {
        CallDecision::Forward {
            announcements,
            dj_number,
            caller_id,
            ring_timeout_secs,
            record,
            transcribe,
        } => {
            let record = *record;
            let mut response = announcements
                .iter()
                .fold(Response::new(), |r, text| r.say(Say::new(text.as_str())));
            if *transcribe {
                // Both sides of the conversation, final results only (SPEC §12).
                response = response.start_transcription(Transcription {
                    status_callback_url: Some(url(paths::CALL_TRANSCRIPTION)),
                    track: Some("both_tracks".to_string()),
                    partial_results: Some(false),
                });
            }
            response.dial(Dial {
                action: Some(url(paths::CALL_DIAL_STATUS)),
                method: Some(Method::Post),
                timeout_secs: Some(*ring_timeout_secs),
                caller_id: Some(caller_id.as_str().to_string()),
                record: record.then_some(DialRecording::RecordFromAnswerDual),
                recording_status_callback: record.then(|| url(paths::CALL_RECORDING)),
                recording_status_callback_event: record.then(|| "completed".to_string()),
                answer_on_bridge: Some(true),
                numbers: vec![Number::new(dj_number.as_str()).whisper_url(url(paths::WHISPER))],
            })
        }
        // Static TwiML for when the service is down: a plain `<Dial>` with no URL of ours, so
        // Twilio needs nothing from us; the call ends when the dial does.
        CallDecision::ForwardUnattended {
            announcements,
            dj_number,
            caller_id,
            ring_timeout_secs,
        } => announcements
            .iter()
            .fold(Response::new(), |r, text| r.say(Say::new(text.as_str())))
            .dial(Dial {
                action: None,
                method: None,
                timeout_secs: Some(*ring_timeout_secs),
                caller_id: Some(caller_id.as_str().to_string()),
                record: None,
                recording_status_callback: None,
                recording_status_callback_event: None,
                answer_on_bridge: Some(true),
                numbers: vec![Number::new(dj_number.as_str())],
            }),
        // The prompt and `<Record>`; its own `action` ends the call, so the prompt never loops.
        CallDecision::Voicemail {
            prompt,
            max_length_secs,
            silence_timeout_secs,
            no_message,
        } => Response::new()
            .say(Say::new(prompt.as_str()))
            .record(Record {
                action: Some(url(paths::VOICEMAIL_COMPLETE)),
                method: Some(Method::Post),
                max_length_secs: Some(*max_length_secs),
                play_beep: Some(true),
                transcribe: Some(true),
                transcribe_callback: Some(url(paths::CALL_VOICEMAIL)),
                recording_status_callback: Some(url(paths::CALL_RECORDING)),
                timeout_secs: Some(*silence_timeout_secs),
                finish_on_key: None,
            })
            .say(Say::new(no_message.as_str()))
            .hangup(),
        CallDecision::HangUp { farewell } => {
            let response = match farewell {
                Some(text) => Response::new().say(Say::new(text.as_str())),
                None => Response::new(),
            };
            response.hangup()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanging_up_after_a_conversation_says_nothing() {
        assert_eq!(
            call_flow_twiml(&CallDecision::hang_up(), "https://x.test").to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#
        );
    }

    #[test]
    fn the_unattended_forward_dials_the_dj_and_points_nowhere_else() {
        let decision = CallDecision::forward_unattended(
            "DJ Mo",
            djcalls_domain::PhoneNumber::from_trusted_e164("+14155550100"),
            djcalls_domain::PhoneNumber::from_trusted_e164("+14155550199"),
        );
        let xml = call_flow_twiml(&decision, "https://x.test").to_xml();
        assert!(xml.contains(r#"<Dial timeout="20" callerId="+14155550199" answerOnBridge="true"><Number>+14155550100</Number></Dial>"#), "{xml}");
        assert!(!xml.contains("x.test"), "no URL of the service: {xml}");
    }

    #[test]
    fn a_transcribed_forward_starts_the_transcription_of_both_tracks_before_the_dial() {
        let number = djcalls_domain::PhoneNumber::from_trusted_e164;
        let decision = CallDecision::forward(
            "DJ Mo",
            number("+14155550100"),
            number("+14155550199"),
            false,
        )
        .with_transcription(true);
        let xml = call_flow_twiml(&decision, "https://x.test").to_xml();
        let start = r#"<Start><Transcription statusCallbackUrl="https://x.test/api/djdash/calls/transcription" track="both_tracks" partialResults="false"/></Start>"#;
        assert!(xml.contains(start), "{xml}");
        assert!(xml.find(start) < xml.find("<Dial"), "{xml}");
        assert!(xml.contains("This call may be recorded"), "{xml}");
    }

    #[test]
    fn a_voicemail_records_two_minutes_at_most_and_posts_back_under_the_base_url() {
        let xml =
            call_flow_twiml(&CallDecision::voicemail(Some("DJ Mo")), "https://x.test").to_xml();
        assert!(xml.contains(r#"<Record action="https://x.test/api/djdash/calls/voicemail-complete" method="POST" maxLength="120""#));
        assert!(xml.contains("Sorry, DJ Mo can&apos;t take your call"));
    }
}
