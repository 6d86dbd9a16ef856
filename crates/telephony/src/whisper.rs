//! The whisper the DJ hears before a lead is connected: an announcement with "press 1 to
//! accept", and the answer to that keypress.

use crate::twiml::{Gather, Method, Response, Say, Verb};

/// What the DJ hears when they pick up a forwarded call.
pub const WHISPER_TEXT: &str = "DJ Dash lead. Press 1 to accept.";

/// Seconds the DJ has to press a key before the lead goes to voicemail.
pub const WHISPER_GATHER_TIMEOUT_SECS: u32 = 6;

/// TwiML for `<Number url>`: announce the lead and wait for one digit, posted to `answer_url`.
/// Without a keypress the DJ's leg hangs up, so the caller is not bridged to a voicemail box
/// or to someone who did not mean to take the call.
pub fn whisper_prompt(answer_url: &str) -> Response {
    Response::new()
        .gather(Gather {
            num_digits: Some(1),
            action: Some(answer_url.to_owned()),
            method: Some(Method::Post),
            timeout_secs: Some(WHISPER_GATHER_TIMEOUT_SECS),
            prompts: vec![Verb::Say(Say::new(WHISPER_TEXT))],
        })
        .hangup()
}

/// TwiML answering the whisper's `<Gather>`: `1` connects (an empty document ends the whisper
/// and Twilio bridges the calls); anything else hangs up the DJ's leg.
pub fn whisper_answer(digits: Option<&str>) -> Response {
    match digits.map(str::trim) {
        Some("1") => Response::new(),
        _ => Response::new().hangup(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressing_one_connects_with_an_empty_response() {
        assert_eq!(whisper_answer(Some("1")).verbs(), &[]);
    }

    #[test]
    fn any_other_key_or_no_key_hangs_up() {
        for digits in [Some("2"), Some("11"), Some(""), None] {
            assert_eq!(whisper_answer(digits).verbs(), &[Verb::Hangup]);
        }
    }

    #[test]
    fn the_prompt_gathers_one_digit_and_hangs_up_without_one() {
        let xml = whisper_prompt("https://x.test/api/djdash/calls/whisper").to_xml();
        assert!(xml.contains(r#"<Gather numDigits="1" action="https://x.test/api/djdash/calls/whisper" method="POST" timeout="6"><Say>DJ Dash lead. Press 1 to accept.</Say></Gather><Hangup/>"#));
    }
}
