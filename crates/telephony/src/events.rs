//! Twilio's voice webhooks turned into the domain's `VoiceEvent`s: the one place that maps
//! Twilio's wire vocabulary (statuses, `RecordingSource`, defaults for missing values) onto the
//! typed statuses the call fold ranks.

use crate::sids::CallSid;
use crate::statuses::{DialCallStatus, RecordingStatus, TranscriptionStatus, TwilioCallStatus};
use crate::webhooks::{
    CallStatusCallback, DialAction, IncomingCall, RecordingStatusCallback, TranscriptionCallback,
};
use djcalls_domain::voice::{DialOutcome, LegStatus, TranscriptionOutcome, VoiceEvent};

impl From<&TwilioCallStatus> for LegStatus {
    fn from(status: &TwilioCallStatus) -> Self {
        match status {
            TwilioCallStatus::Queued => LegStatus::Queued,
            TwilioCallStatus::Ringing => LegStatus::Ringing,
            TwilioCallStatus::InProgress => LegStatus::InProgress,
            TwilioCallStatus::Completed => LegStatus::Completed,
            TwilioCallStatus::Busy => LegStatus::Busy,
            TwilioCallStatus::Failed => LegStatus::Failed,
            TwilioCallStatus::NoAnswer => LegStatus::NoAnswer,
            TwilioCallStatus::Canceled => LegStatus::Canceled,
            // `initiated`, `answered` and anything newer: kept as sent, the domain ranks them.
            TwilioCallStatus::Other(raw) => LegStatus::from_stored(raw),
        }
    }
}

impl From<&DialCallStatus> for DialOutcome {
    fn from(status: &DialCallStatus) -> Self {
        match status {
            DialCallStatus::Completed => DialOutcome::Completed,
            DialCallStatus::Answered => DialOutcome::Answered,
            DialCallStatus::Busy => DialOutcome::Busy,
            DialCallStatus::NoAnswer => DialOutcome::NoAnswer,
            DialCallStatus::Failed => DialOutcome::Failed,
            DialCallStatus::Canceled => DialOutcome::Canceled,
            DialCallStatus::Other(raw) => DialOutcome::from_stored(raw),
        }
    }
}

impl From<&TranscriptionStatus> for TranscriptionOutcome {
    fn from(status: &TranscriptionStatus) -> Self {
        match status {
            TranscriptionStatus::Completed => TranscriptionOutcome::Completed,
            TranscriptionStatus::Failed => TranscriptionOutcome::Failed,
            TranscriptionStatus::Other(raw) => TranscriptionOutcome::from_stored(raw),
        }
    }
}

/// `RecordingSource` of a voicemail (`<Record>`), as opposed to a recorded conversation.
const RECORD_VERB: &str = "RecordVerb";

impl IncomingCall {
    /// The call reached us; `None` when `To` is not a phone number (nobody to forward to).
    pub fn event(&self) -> Option<VoiceEvent> {
        let virtual_number = self.to.phone_number()?;
        Some(VoiceEvent::Incoming {
            caller: self.from.phone_number().map(|n| n.as_str().to_string()),
            virtual_number: virtual_number.as_str().to_string(),
            caller_name: self.caller_name.as_ref().map(|n| n.as_str().to_string()),
        })
    }
}

impl DialAction {
    /// How forwarding ended; a missing `DialCallStatus` means nobody answered.
    pub fn dial_event(&self) -> VoiceEvent {
        VoiceEvent::Dial {
            status: self
                .dial_call_status
                .as_ref()
                .map_or(DialOutcome::NoAnswer, DialOutcome::from),
            duration_secs: self.dial_call_duration_secs,
            bridged: self.dial_bridged,
        }
    }

    /// The `<Record action>` post after a voicemail: the recording, if one was made.
    pub fn voicemail_event(&self) -> Option<VoiceEvent> {
        Some(VoiceEvent::Recording {
            sid: self.recording_sid.clone()?,
            duration_secs: self.recording_duration_secs,
            voicemail: true,
        })
    }
}

impl CallStatusCallback {
    /// The caller's leg moved on; `None` when Twilio sent no status.
    pub fn event(&self) -> Option<VoiceEvent> {
        Some(VoiceEvent::Status {
            status: LegStatus::from(self.call_status.as_ref()?),
            duration_secs: self.call_duration_secs,
        })
    }
}

impl RecordingStatusCallback {
    /// A finished recording; `None` for one still in progress, absent or failed.
    pub fn event(&self) -> Option<VoiceEvent> {
        let completed = self
            .recording_status
            .as_ref()
            .is_none_or(|s| *s == RecordingStatus::Completed);
        completed.then(|| VoiceEvent::Recording {
            sid: self.recording_sid.clone(),
            duration_secs: self.recording_duration_secs,
            voicemail: self.recording_source.as_deref() == Some(RECORD_VERB),
        })
    }
}

impl TranscriptionCallback {
    /// The voicemail's transcript; a missing status counts as failed.
    pub fn event(&self) -> VoiceEvent {
        VoiceEvent::Transcription {
            recording_sid: self.recording_sid.clone(),
            status: self
                .transcription_status
                .as_ref()
                .map_or(TranscriptionOutcome::Failed, TranscriptionOutcome::from),
            text: self
                .transcription_text
                .as_ref()
                .map(|t| t.as_str().to_string()),
        }
    }
}

/// A callback that only reports on a call (status, recording, transcription): recorded, and
/// answered with no TwiML.
pub trait CallCallback {
    fn call_sid(&self) -> &CallSid;
    /// What it tells us about the call; `None` when nothing worth recording.
    fn voice_event(&self) -> Option<VoiceEvent>;
}

impl CallCallback for CallStatusCallback {
    fn call_sid(&self) -> &CallSid {
        &self.call_sid
    }
    fn voice_event(&self) -> Option<VoiceEvent> {
        self.event()
    }
}

impl CallCallback for RecordingStatusCallback {
    fn call_sid(&self) -> &CallSid {
        &self.call_sid
    }
    fn voice_event(&self) -> Option<VoiceEvent> {
        self.event()
    }
}

impl CallCallback for TranscriptionCallback {
    fn call_sid(&self) -> &CallSid {
        &self.call_sid
    }
    fn voice_event(&self) -> Option<VoiceEvent> {
        Some(self.event())
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
