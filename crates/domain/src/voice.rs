//! What Twilio's webhooks tell us about one call, folded into its business facts. The fold is
//! order-independent and idempotent: the same events in any order, any number of times, give
//! the same call — which is how duplicated and out-of-order deliveries stay harmless.
//!
//! Events are stored as JSON in `call_events`; the tag names and status strings are that
//! stored format (see `stored_tests.rs`).

mod decision;
pub mod reconciled;
mod status;
#[cfg(test)]
mod stored_tests;

pub use decision::{CallDecision, RING_TIMEOUT_SECS, VOICEMAIL_MAX_SECS};
pub use status::{DialOutcome, LegStatus, TranscriptionOutcome};

use crate::call::CallStatus;
use serde::{Deserialize, Serialize};

/// One verified webhook, reduced to what matters for the call record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VoiceEvent {
    /// The number's Voice URL: the call reached us.
    Incoming {
        caller: Option<String>,
        virtual_number: String,
        caller_name: Option<String>,
    },
    /// `<Dial action>`: how forwarding to the DJ ended.
    Dial {
        status: DialOutcome,
        duration_secs: Option<u32>,
        bridged: Option<bool>,
    },
    /// The status callback of the caller's leg.
    Status {
        status: LegStatus,
        duration_secs: Option<u32>,
    },
    /// A recording finished: of the bridged call (`DialVerb`) or a voicemail (`RecordVerb`).
    Recording {
        sid: String,
        duration_secs: Option<u32>,
        voicemail: bool,
    },
    /// The voicemail's transcription.
    Transcription {
        recording_sid: Option<String>,
        status: TranscriptionOutcome,
        text: Option<String>,
    },
}

/// The call record's fields that the events determine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallFacts {
    pub caller: Option<String>,
    pub virtual_number: Option<String>,
    pub caller_name: Option<String>,
    /// Highest-ranked status of the caller's leg seen so far.
    pub leg_status: Option<LegStatus>,
    pub dial_status: Option<DialOutcome>,
    pub answered: bool,
    pub talk_seconds: Option<u32>,
    pub call_duration_seconds: Option<u32>,
    pub recording_sid: Option<String>,
    pub recording_duration_seconds: Option<u32>,
    pub voicemail_left: bool,
    pub transcription_status: Option<TranscriptionOutcome>,
    pub transcription_text: Option<String>,
}

fn keep_first(slot: &mut Option<String>, value: &Option<String>) {
    if slot.is_none() {
        slot.clone_from(&value.as_ref().filter(|v| !v.is_empty()).cloned());
    }
}

fn keep_max(slot: &mut Option<u32>, value: Option<u32>) {
    if let Some(v) = value {
        *slot = Some(slot.map_or(v, |s| s.max(v)));
    }
}

impl CallFacts {
    /// Folds events in any order into the call's facts.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a VoiceEvent>) -> CallFacts {
        let mut facts = CallFacts::default();
        for event in events {
            facts.apply(event);
        }
        facts
    }

    /// Adds one event. Every rule is a max or a first-non-empty, so order does not matter.
    pub fn apply(&mut self, event: &VoiceEvent) {
        match event {
            VoiceEvent::Incoming {
                caller,
                virtual_number,
                caller_name,
            } => {
                keep_first(&mut self.caller, caller);
                keep_first(&mut self.virtual_number, &Some(virtual_number.clone()));
                keep_first(&mut self.caller_name, caller_name);
            }
            VoiceEvent::Dial {
                status,
                duration_secs,
                bridged,
            } => {
                let better = self
                    .dial_status
                    .as_ref()
                    .is_none_or(|current| status.rank() > current.rank());
                if better {
                    self.dial_status = Some(status.clone());
                }
                // Answered means the DJ picked up and the legs were bridged (a DJ who did not
                // accept the whisper leaves `DialBridged=false`).
                if status.picked_up() && *bridged != Some(false) {
                    self.answered = true;
                    keep_max(&mut self.talk_seconds, *duration_secs);
                }
            }
            VoiceEvent::Status {
                status,
                duration_secs,
            } => {
                let better = self
                    .leg_status
                    .as_ref()
                    .is_none_or(|current| status.rank() > current.rank());
                if better {
                    self.leg_status = Some(status.clone());
                }
                keep_max(&mut self.call_duration_seconds, *duration_secs);
            }
            VoiceEvent::Recording {
                sid,
                duration_secs,
                voicemail,
            } => {
                keep_first(&mut self.recording_sid, &Some(sid.clone()));
                keep_max(&mut self.recording_duration_seconds, *duration_secs);
                if *voicemail && duration_secs.unwrap_or(0) > 0 {
                    self.voicemail_left = true;
                }
            }
            VoiceEvent::Transcription {
                recording_sid,
                status,
                text,
            } => {
                keep_first(&mut self.recording_sid, recording_sid);
                // A completed transcription outranks a failed one, whichever came first.
                if !self
                    .transcription_status
                    .as_ref()
                    .is_some_and(TranscriptionOutcome::is_completed)
                {
                    self.transcription_status = Some(status.clone());
                }
                if status.is_completed() {
                    keep_first(&mut self.transcription_text, text);
                    if text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                        self.voicemail_left = true;
                    }
                }
            }
        }
    }

    /// SPEC §4: answered and bridged → completed; otherwise voicemail if one was left, else
    /// the dial outcome; before any of that, how far the caller's leg has got.
    pub fn status(&self) -> CallStatus {
        if self.answered {
            return CallStatus::Completed;
        }
        if self.voicemail_left {
            return CallStatus::Voicemail;
        }
        if let Some(dial) = &self.dial_status {
            return match dial {
                DialOutcome::Busy => CallStatus::Busy,
                DialOutcome::Failed => CallStatus::Failed,
                DialOutcome::Canceled => CallStatus::Canceled,
                _ => CallStatus::NoAnswer,
            };
        }
        match &self.leg_status {
            Some(LegStatus::InProgress | LegStatus::Answered) => CallStatus::InProgress,
            Some(LegStatus::Busy) => CallStatus::Busy,
            Some(LegStatus::Failed) => CallStatus::Failed,
            Some(LegStatus::NoAnswer) => CallStatus::NoAnswer,
            // The caller hung up before forwarding ended.
            Some(LegStatus::Completed | LegStatus::Canceled) => CallStatus::Canceled,
            _ => CallStatus::Ringing,
        }
    }

    /// Whether the caller's leg has ended (the status callback said so).
    pub fn ended(&self) -> bool {
        self.leg_status.as_ref().is_some_and(LegStatus::has_ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn incoming() -> VoiceEvent {
        VoiceEvent::Incoming {
            caller: Some("+14155550100".into()),
            virtual_number: "+12125550101".into(),
            caller_name: None,
        }
    }
    fn status(s: &str, secs: Option<u32>) -> VoiceEvent {
        VoiceEvent::Status {
            status: LegStatus::from_stored(s),
            duration_secs: secs,
        }
    }
    fn dial(s: &str, secs: u32, bridged: bool) -> VoiceEvent {
        VoiceEvent::Dial {
            status: DialOutcome::from_stored(s),
            duration_secs: Some(secs),
            bridged: Some(bridged),
        }
    }
    fn voicemail_recording(secs: u32) -> VoiceEvent {
        VoiceEvent::Recording {
            sid: "RE1".into(),
            duration_secs: Some(secs),
            voicemail: true,
        }
    }

    #[test]
    fn an_answered_call_is_completed_with_talk_time_and_whole_duration() {
        let facts = CallFacts::fold(&[
            incoming(),
            dial("completed", 95, true),
            status("completed", Some(104)),
        ]);
        assert_eq!(facts.status(), CallStatus::Completed);
        assert_eq!(facts.talk_seconds, Some(95));
        assert_eq!(facts.call_duration_seconds, Some(104));
        assert!(facts.ended());
    }

    #[test]
    fn a_missed_call_with_a_message_is_a_voicemail() {
        let facts = CallFacts::fold(&[
            incoming(),
            dial("no-answer", 0, false),
            voicemail_recording(31),
            status("completed", Some(55)),
        ]);
        assert_eq!(facts.status(), CallStatus::Voicemail);
        assert!(!facts.answered);
        assert_eq!(facts.talk_seconds, None);
    }

    #[test]
    fn a_dj_who_does_not_accept_the_whisper_has_not_answered() {
        let facts = CallFacts::fold(&[incoming(), dial("completed", 4, false)]);
        assert_eq!(facts.status(), CallStatus::NoAnswer);
    }

    #[test]
    fn a_late_ringing_changes_nothing() {
        let facts = CallFacts::fold(&[
            dial("busy", 0, false),
            status("completed", Some(12)),
            status("ringing", None),
        ]);
        assert_eq!(facts.status(), CallStatus::Busy);
        assert_eq!(facts.leg_status, Some(LegStatus::Completed));
    }

    fn any_sequence() -> Vec<VoiceEvent> {
        vec![
            incoming(),
            status("ringing", None),
            dial("no-answer", 0, false),
            voicemail_recording(20),
            VoiceEvent::Transcription {
                recording_sid: Some("RE1".into()),
                status: TranscriptionOutcome::Completed,
                text: Some("call me".into()),
            },
            status("completed", Some(48)),
        ]
    }

    proptest! {
        // Any order and any duplication of the same deliveries gives the same facts.
        #[test]
        fn order_and_duplicates_do_not_matter(order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
                                              dupes in proptest::collection::vec(0usize..6, 0..6)) {
            let events = any_sequence();
            let expected = CallFacts::fold(&events);
            let mut shuffled: Vec<&VoiceEvent> = order.iter().map(|i| &events[*i]).collect();
            shuffled.extend(dupes.iter().map(|i| &events[*i]));
            prop_assert_eq!(CallFacts::fold(shuffled.clone()), expected);
            // On the way, the status rank never goes down.
            let mut facts = CallFacts::default();
            let mut rank = facts.status().rank();
            for e in shuffled {
                facts.apply(e);
                prop_assert!(facts.status().rank() >= rank);
                rank = facts.status().rank();
            }
        }
    }
}
