//! Twilio for djcalls: request signatures, TwiML (and the call flow's decisions rendered as
//! TwiML), webhook payloads verified and parsed (`verified`) and turned into domain events
//! (`events`), the REST client, the `Telephony` trait with a simulator behind it, and simulated
//! webhook sequences. All of Twilio's wire vocabulary lives here. No database, no HTTP server.

// Tests may unwrap; the library itself is still linted strictly when built without `test`.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod call_flow;
pub mod client;
pub mod error;
pub mod events;
pub mod fields;
pub mod insights;
pub mod keywords;
pub mod paths;
pub mod provider;
pub mod realtime_transcription;
pub mod sids;
pub mod signature;
pub mod simulate;
pub mod simulate_transcription;
pub mod simulated;
pub mod statuses;
pub mod twiml;
pub mod verified;
pub mod webhooks;
pub mod whisper;

pub use call_flow::call_flow_twiml;
pub use client::{
    AvailableNumber, CallLogEntry, CallLogQuery, DEFAULT_API_BASE_URL, OwnedNumber, RecordingAudio,
    TwilioClient, TwilioConfig,
};
pub use error::{TwilioError, TwilioErrorBody};
pub use fields::{Address, PrivateText};
pub use insights::{SummaryAnswer, VoiceInsightsConfig, fetch_call_summary};
pub use keywords::{Keyword, classify_keyword, is_spanish_keyword};
pub use paths::{NumberUrls, fallback_file_name};
pub use provider::Telephony;
pub use realtime_transcription::RealtimeTranscriptionCallback;
pub use sids::{AccountSid, CallSid, MessageSid, NumberSid, RecordingSid};
pub use signature::{SIGNATURE_HEADER, compute_signature, verify_signature};
pub use simulate::{CallOutcome, CallScenario, WebhookDelivery, deliver, deliver_to};
pub use simulated::{SentSms, SimulatedTelephony};
pub use statuses::{
    DialCallStatus, MessageStatus, RecordingStatus, TranscriptionStatus, TwilioCallStatus,
};
pub use verified::{VerifiedWebhook, WebhookRejection, verify_and_parse};
pub use webhooks::{
    CallStatusCallback, DialAction, GatherDigits, IncomingCall, IncomingSms,
    RecordingStatusCallback, Signed, SmsStatusCallback, TranscriptionCallback, Webhook,
    WebhookError,
};
pub use whisper::{whisper_answer, whisper_prompt};
