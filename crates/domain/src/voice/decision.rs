//! What a caller hears at each step of the call flow (SPEC §4): forward to the DJ, take a
//! voicemail, or hang up — with the timings and the words. Telephony renders a decision as
//! TwiML; the rules (how long the DJ's phone rings, how long a message may be) live here.

use crate::phone::PhoneNumber;

/// Seconds the DJ's phone rings before the caller is offered voicemail.
pub const RING_TIMEOUT_SECS: u32 = 20;
/// The longest voicemail, in seconds.
pub const VOICEMAIL_MAX_SECS: u32 = 120;
/// Seconds of silence after which a voicemail recording stops.
pub const VOICEMAIL_SILENCE_TIMEOUT_SECS: u32 = 5;

/// Told before forwarding when calls are recorded.
pub const RECORDING_NOTICE: &str = "This call may be recorded for quality purposes.";
/// Told on a number that reaches nobody.
pub const NOT_IN_SERVICE: &str =
    "Sorry, the number you called is not in service. Please find the DJ again on DJ Dash. Goodbye.";
/// Told when the voicemail prompt timed out without a message.
pub const NO_MESSAGE: &str = "We didn't get a message. Goodbye.";
/// Told after a voicemail was left.
pub const VOICEMAIL_TAKEN: &str = "Thank you. Your message has been sent. Goodbye.";
/// Who the voicemail prompt names when the call's DJ is not known.
pub const UNKNOWN_DJ_NAME: &str = "the DJ";

/// One step of the call flow, as the caller will experience it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallDecision {
    /// Say the announcements, then ring the DJ (showing `caller_id`) for `ring_timeout_secs`.
    Forward {
        announcements: Vec<String>,
        dj_number: PhoneNumber,
        caller_id: PhoneNumber,
        ring_timeout_secs: u32,
        /// Record the conversation (both sides, from the answer).
        record: bool,
        /// Transcribe the conversation as it happens (both tracks; SPEC §12).
        transcribe: bool,
    },
    /// The static fallback for when the whole service is down (served from any static host):
    /// say the announcements, then ring the DJ (showing `caller_id`). Nothing may call back into
    /// the service — no dial action, whisper or recording callback — because nothing answers
    /// there; Twilio's own call log is how such calls are recorded later (`reconciled`).
    ForwardUnattended {
        announcements: Vec<String>,
        dj_number: PhoneNumber,
        caller_id: PhoneNumber,
        ring_timeout_secs: u32,
    },
    /// Say the prompt, then record a message of at most `max_length_secs`; if none comes,
    /// say `no_message` and hang up.
    Voicemail {
        prompt: String,
        max_length_secs: u32,
        silence_timeout_secs: u32,
        no_message: String,
    },
    /// Say `farewell` if any, then end the call.
    HangUp { farewell: Option<String> },
}

impl CallDecision {
    /// Connect a caller to the DJ whose virtual number they dialled.
    pub fn forward(
        dj_name: &str,
        dj_number: PhoneNumber,
        virtual_number: PhoneNumber,
        record: bool,
    ) -> Self {
        let mut announcements = Vec::new();
        if record {
            announcements.push(RECORDING_NOTICE.to_string());
        }
        announcements.push(greeting(dj_name));
        CallDecision::Forward {
            announcements,
            dj_number,
            caller_id: virtual_number,
            ring_timeout_secs: RING_TIMEOUT_SECS,
            record,
            transcribe: false,
        }
    }

    /// The same forward, with the conversation transcribed when `transcribe` (the caller hears
    /// the recording notice first, as for a recording).
    pub fn with_transcription(self, transcribe: bool) -> Self {
        match self {
            CallDecision::Forward {
                mut announcements,
                dj_number,
                caller_id,
                ring_timeout_secs,
                record,
                ..
            } => {
                if transcribe && !record {
                    announcements.insert(0, RECORDING_NOTICE.to_string());
                }
                CallDecision::Forward {
                    announcements,
                    dj_number,
                    caller_id,
                    ring_timeout_secs,
                    record,
                    transcribe,
                }
            }
            other => other,
        }
    }

    /// The static fallback TwiML of a virtual number: ring the DJ as [`Self::forward`] does,
    /// without recording (no recording notice) and without anything that needs the service.
    pub fn forward_unattended(
        dj_name: &str,
        dj_number: PhoneNumber,
        virtual_number: PhoneNumber,
    ) -> Self {
        CallDecision::ForwardUnattended {
            announcements: vec![greeting(dj_name)],
            dj_number,
            caller_id: virtual_number,
            ring_timeout_secs: RING_TIMEOUT_SECS,
        }
    }

    /// Nobody answered: take a message for the DJ (named when known).
    pub fn voicemail(dj_name: Option<&str>) -> Self {
        let dj_name = dj_name.unwrap_or(UNKNOWN_DJ_NAME);
        CallDecision::Voicemail {
            prompt: format!(
                "Sorry, {dj_name} can't take your call right now. Please leave your name, your event date and a message after the tone."
            ),
            max_length_secs: VOICEMAIL_MAX_SECS,
            silence_timeout_secs: VOICEMAIL_SILENCE_TIMEOUT_SECS,
            no_message: NO_MESSAGE.to_string(),
        }
    }

    /// The number is unknown, released, or its DJ has no real number.
    pub fn not_in_service() -> Self {
        Self::hang_up_saying(NOT_IN_SERVICE)
    }

    /// A voicemail was left: thank the caller and end the call.
    pub fn voicemail_taken() -> Self {
        Self::hang_up_saying(VOICEMAIL_TAKEN)
    }

    /// The DJ answered and the conversation is over.
    pub fn hang_up() -> Self {
        CallDecision::HangUp { farewell: None }
    }

    fn hang_up_saying(farewell: &str) -> Self {
        CallDecision::HangUp {
            farewell: Some(farewell.to_string()),
        }
    }
}

/// What a caller hears before the DJ's phone rings.
fn greeting(dj_name: &str) -> String {
    format!("Thanks for calling {dj_name} through DJ Dash. Connecting you now.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> PhoneNumber {
        PhoneNumber::from_trusted_e164(raw.to_string())
    }

    #[test]
    fn a_recorded_forward_announces_the_recording_first_and_rings_twenty_seconds() {
        let CallDecision::Forward {
            announcements,
            ring_timeout_secs,
            ..
        } = CallDecision::forward("DJ Mo", number("+1"), number("+2"), true)
        else {
            panic!("not a forward");
        };
        assert_eq!(announcements.len(), 2);
        assert_eq!(announcements[0], RECORDING_NOTICE);
        assert!(announcements[1].contains("DJ Mo"));
        assert_eq!(ring_timeout_secs, 20);
    }

    #[test]
    fn a_voicemail_names_the_dj_or_a_stand_in_and_lasts_two_minutes_at_most() {
        let CallDecision::Voicemail {
            prompt,
            max_length_secs,
            ..
        } = CallDecision::voicemail(None)
        else {
            panic!("not a voicemail");
        };
        assert!(prompt.starts_with("Sorry, the DJ can't"));
        assert_eq!(max_length_secs, 120);
    }
}
