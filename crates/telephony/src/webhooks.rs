//! Twilio's form-encoded webhooks as typed payloads: lenient (unknown parameters ignored,
//! optional fields optional, odd values become `None`), strict only about the SIDs they key on.

use crate::fields::{Address, PrivateText, lenient_bool, lenient_u32, non_empty};
use crate::sids::CallSid;
use crate::statuses::{
    DialCallStatus, MessageStatus, RecordingStatus, TranscriptionStatus, TwilioCallStatus,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("Twilio webhook lacks the required parameter {0}")]
    MissingParameter(&'static str),
    #[error("malformed Twilio webhook: {0}")]
    Malformed(String),
}

/// Decodes an `application/x-www-form-urlencoded` body into its pairs, in order, repeats kept
/// (the form needed for signature verification as well as parsing).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// `pairs` as `W`, after checking the `required` parameters are there and not blank.
pub(crate) fn parse_pairs<W: DeserializeOwned>(
    required: &'static [&'static str],
    pairs: &[(String, String)],
) -> Result<W, WebhookError> {
    for &name in required {
        if !pairs.iter().any(|(k, v)| k == name && !v.trim().is_empty()) {
            return Err(WebhookError::MissingParameter(name));
        }
    }
    let mut map = serde_json::Map::new();
    for (key, value) in pairs {
        map.entry(key.clone())
            .or_insert_with(|| serde_json::Value::String(value.clone()));
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| WebhookError::Malformed(e.to_string()))
}

/// A payload Twilio posts to one of our webhook URLs.
pub trait Webhook: DeserializeOwned {
    /// Parameters without which the payload means nothing.
    const REQUIRED: &'static [&'static str];

    /// Parses decoded form pairs. For a repeated key the first value wins; unknown keys are
    /// ignored.
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, WebhookError> {
        parse_pairs(Self::REQUIRED, pairs)
    }

    /// Parses a raw form-encoded body.
    fn from_form_body(body: &[u8]) -> Result<Self, WebhookError> {
        Self::from_pairs(&parse_form(body))
    }
}

/// The number's Voice URL: a call has come in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IncomingCall {
    pub call_sid: CallSid,
    pub account_sid: Option<String>,
    #[serde(default)]
    pub from: Address,
    #[serde(default)]
    pub to: Address,
    #[serde(default, deserialize_with = "non_empty")]
    pub caller: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub call_status: Option<TwilioCallStatus>,
    pub direction: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub caller_name: Option<PrivateText>,
    #[serde(default, deserialize_with = "non_empty")]
    pub forwarded_from: Option<Address>,
    pub parent_call_sid: Option<String>,
    pub api_version: Option<String>,
    pub from_city: Option<String>,
    pub from_state: Option<String>,
    pub from_zip: Option<String>,
    pub from_country: Option<String>,
}

impl Webhook for IncomingCall {
    const REQUIRED: &'static [&'static str] = &["CallSid", "From", "To"];
}

/// `<Dial action>`: how the forwarded leg ended.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DialAction {
    pub call_sid: CallSid,
    pub account_sid: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub from: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub to: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub call_status: Option<TwilioCallStatus>,
    pub direction: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub dial_call_status: Option<DialCallStatus>,
    pub dial_call_sid: Option<String>,
    #[serde(rename = "DialCallDuration", default, deserialize_with = "lenient_u32")]
    pub dial_call_duration_secs: Option<u32>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub dial_bridged: Option<bool>,
    pub recording_sid: Option<String>,
    pub recording_url: Option<String>,
    #[serde(
        rename = "RecordingDuration",
        default,
        deserialize_with = "lenient_u32"
    )]
    pub recording_duration_secs: Option<u32>,
}

impl Webhook for DialAction {
    const REQUIRED: &'static [&'static str] = &["CallSid"];
}

/// The number's status callback for the caller's leg.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallStatusCallback {
    pub call_sid: CallSid,
    pub account_sid: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub from: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub to: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub call_status: Option<TwilioCallStatus>,
    /// Whole call, in seconds (`CallDuration`).
    #[serde(rename = "CallDuration", default, deserialize_with = "lenient_u32")]
    pub call_duration_secs: Option<u32>,
    pub direction: Option<String>,
    /// RFC 2822 time of the event, as Twilio sent it.
    pub timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub sequence_number: Option<u32>,
    pub callback_source: Option<String>,
    pub parent_call_sid: Option<String>,
    pub api_version: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub forwarded_from: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub caller_name: Option<PrivateText>,
}

impl Webhook for CallStatusCallback {
    const REQUIRED: &'static [&'static str] = &["CallSid", "CallStatus"];
}

/// `<Record transcribeCallback>`: the voicemail's transcript.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranscriptionCallback {
    pub call_sid: CallSid,
    pub account_sid: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub from: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub to: Option<Address>,
    #[serde(default, deserialize_with = "non_empty")]
    pub call_status: Option<TwilioCallStatus>,
    pub transcription_sid: Option<String>,
    pub transcription_text: Option<PrivateText>,
    #[serde(default, deserialize_with = "non_empty")]
    pub transcription_status: Option<TranscriptionStatus>,
    pub transcription_url: Option<String>,
    pub transcription_type: Option<String>,
    pub recording_sid: Option<String>,
    pub recording_url: Option<String>,
    #[serde(
        rename = "RecordingDuration",
        default,
        deserialize_with = "lenient_u32"
    )]
    pub recording_duration_secs: Option<u32>,
    pub api_version: Option<String>,
}

impl Webhook for TranscriptionCallback {
    const REQUIRED: &'static [&'static str] = &["CallSid"];
}

/// `recordingStatusCallback` of `<Dial>` or `<Record>`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordingStatusCallback {
    pub call_sid: CallSid,
    pub account_sid: Option<String>,
    pub recording_sid: String,
    pub recording_url: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub recording_status: Option<RecordingStatus>,
    #[serde(
        rename = "RecordingDuration",
        default,
        deserialize_with = "lenient_u32"
    )]
    pub recording_duration_secs: Option<u32>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub recording_channels: Option<u32>,
    pub recording_start_time: Option<String>,
    /// `DialVerb`, `RecordVerb`, `OutboundAPI`, …
    pub recording_source: Option<String>,
    pub recording_track: Option<String>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub error_code: Option<u32>,
}

impl Webhook for RecordingStatusCallback {
    const REQUIRED: &'static [&'static str] = &["CallSid", "RecordingSid"];
}

/// The whisper's `<Gather action>`: the key the DJ pressed, if any.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct GatherDigits {
    pub digits: Option<String>,
}

impl Webhook for GatherDigits {
    const REQUIRED: &'static [&'static str] = &[];
}

/// A signed request whose parameters we do not read (the whisper's `<Number url>`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Signed {}

impl Webhook for Signed {
    const REQUIRED: &'static [&'static str] = &[];
}

/// The number's SMS URL: a text has come in.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct IncomingSms {
    pub message_sid: String,
    pub sms_sid: Option<String>,
    pub account_sid: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub from: Address,
    pub to: Address,
    pub body: Option<PrivateText>,
    #[serde(deserialize_with = "lenient_u32")]
    pub num_media: Option<u32>,
    #[serde(deserialize_with = "lenient_u32")]
    pub num_segments: Option<u32>,
    #[serde(deserialize_with = "non_empty")]
    pub sms_status: Option<MessageStatus>,
    pub api_version: Option<String>,
    pub from_city: Option<String>,
    pub from_state: Option<String>,
    pub from_zip: Option<String>,
    pub from_country: Option<String>,
}

impl Webhook for IncomingSms {
    const REQUIRED: &'static [&'static str] = &["MessageSid", "From", "To"];
}

impl IncomingSms {
    pub fn body_text(&self) -> &str {
        self.body.as_ref().map_or("", PrivateText::as_str)
    }
}

/// The message status callback of an SMS we sent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SmsStatusCallback {
    pub message_sid: String,
    pub sms_sid: Option<String>,
    pub account_sid: Option<String>,
    pub messaging_service_sid: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub message_status: Option<MessageStatus>,
    #[serde(deserialize_with = "non_empty")]
    pub sms_status: Option<MessageStatus>,
    #[serde(deserialize_with = "lenient_u32")]
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub to: Option<Address>,
    #[serde(deserialize_with = "non_empty")]
    pub from: Option<Address>,
    pub api_version: Option<String>,
}

impl Webhook for SmsStatusCallback {
    const REQUIRED: &'static [&'static str] = &["MessageSid"];
}

impl SmsStatusCallback {
    /// `MessageStatus`, or the older `SmsStatus` when that is all Twilio sent.
    pub fn status(&self) -> Option<&MessageStatus> {
        self.message_status.as_ref().or(self.sms_status.as_ref())
    }

    /// Error 21610: the recipient has opted out, so we must never text them again.
    pub fn recipient_opted_out(&self) -> bool {
        self.error_code == Some(crate::error::codes::OPTED_OUT)
    }
}

#[cfg(test)]
#[path = "webhooks_tests.rs"]
mod tests;
