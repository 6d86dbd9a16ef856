//! Real-Time Transcription's status callback (SPEC §12): `<Start><Transcription
//! statusCallbackUrl>` posts `transcription-started`, one `transcription-content` per
//! utterance of either track, and `transcription-stopped` (or `transcription-error`).
//!
//! Parameter names and values as Twilio documents them for the `<Transcription>` noun
//! (<https://www.twilio.com/docs/voice/twiml/transcription>, "statusCallbackUrl" parameters,
//! checked 2026-12; the same attribute set as the Realtime Transcription REST resource
//! `Calls/{CallSid}/Transcriptions`): `TranscriptionEvent`, `TranscriptionData` (JSON with
//! `transcript` and `confidence`), `Track` (`inbound_track` | `outbound_track`), `Final`,
//! `SequenceId`, `CallSid`, `TranscriptionSid`, `LanguageCode`, `Timestamp`.

use crate::fields::{PrivateText, lenient_bool, lenient_u32};
use crate::sids::CallSid;
use crate::webhooks::{Webhook, WebhookError, parse_pairs};
use djcalls_domain::transcript::{LiveTranscription, Speaker, TranscriptSegment};
use serde::{Deserialize, Deserializer};

/// `TranscriptionEvent` of a segment of speech.
pub const CONTENT_EVENT: &str = "transcription-content";

/// One status callback of a call's Real-Time Transcription.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RealtimeTranscriptionCallback {
    pub call_sid: CallSid,
    pub account_sid: Option<String>,
    pub transcription_sid: Option<String>,
    pub transcription_event: String,
    /// `inbound_track` (the caller, whose call started the transcription) or `outbound_track`.
    pub track: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub r#final: Option<bool>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub sequence_id: Option<u32>,
    /// Present on content events; a value that is not JSON with a `transcript` refuses the
    /// whole delivery (400, nothing written).
    #[serde(default, deserialize_with = "transcription_data")]
    pub transcription_data: Option<TranscriptionData>,
    pub language_code: Option<String>,
    pub timestamp: Option<String>,
}

/// `TranscriptionData`: what was said (redacted the moment it is parsed) and how sure the
/// engine is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TranscriptionData {
    pub transcript: PrivateText,
    #[serde(default)]
    pub confidence: Option<f64>,
}

fn transcription_data<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<TranscriptionData>, D::Error> {
    let Some(raw) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let refused = || serde::de::Error::custom("TranscriptionData is not JSON with a transcript");
    match serde_json::from_str::<serde_json::Value>(&raw) {
        Ok(value) if value.is_object() => serde_json::from_value(value)
            .map(Some)
            .map_err(|_| refused()),
        _ => Err(refused()),
    }
}

impl Webhook for RealtimeTranscriptionCallback {
    const REQUIRED: &'static [&'static str] = &["CallSid", "TranscriptionEvent"];

    /// As every webhook, and a content event must carry its `TranscriptionData`.
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, WebhookError> {
        let parsed: Self = parse_pairs(Self::REQUIRED, pairs)?;
        if parsed.is_content() && parsed.transcription_data.is_none() {
            return Err(WebhookError::MissingParameter("TranscriptionData"));
        }
        Ok(parsed)
    }
}

impl RealtimeTranscriptionCallback {
    fn is_content(&self) -> bool {
        self.transcription_event.trim() == CONTENT_EVENT
    }

    /// The transcription's start or end that this callback announces (`-error` ends it too).
    pub fn lifecycle(&self) -> Option<LiveTranscription> {
        match self.transcription_event.trim() {
            "transcription-started" => Some(LiveTranscription::Started),
            "transcription-stopped" | "transcription-error" => Some(LiveTranscription::Stopped),
            _ => None,
        }
    }

    /// The final segment this callback carries: a content event marked `Final`, with a
    /// `SequenceId`, a track we know and some words. Partial results and the other events
    /// carry none.
    pub fn final_segment(&self) -> Option<TranscriptSegment> {
        if !self.is_content() || self.r#final != Some(true) {
            return None;
        }
        let speaker = match self.track.as_deref().map(str::trim) {
            Some("inbound_track") => Speaker::Caller,
            Some("outbound_track") => Speaker::Dj,
            _ => return None,
        };
        let text = self.transcription_data.as_ref()?.transcript.as_str().trim();
        if text.is_empty() {
            return None;
        }
        Some(TranscriptSegment {
            sequence_id: self.sequence_id?,
            speaker,
            text: text.to_string(),
        })
    }
}

#[cfg(test)]
#[path = "realtime_transcription_tests.rs"]
mod tests;
