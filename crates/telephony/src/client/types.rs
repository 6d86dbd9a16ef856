//! The client's configuration and the values it hands back (offered and owned numbers,
//! downloaded recordings).

use super::{DEFAULT_API_BASE_URL, DEFAULT_REQUEST_TIMEOUT};
use crate::sids::NumberSid;
use djcalls_domain::PhoneNumber;
use secrecy::SecretString;
use std::time::Duration;

/// How to reach Twilio. `Debug` redacts the auth token.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `https://api.twilio.com`, or a fake in tests (`TWILIO_API_BASE_URL`).
    pub api_base_url: String,
    pub account_sid: String,
    pub auth_token: SecretString,
    pub request_timeout: Duration,
}

impl TwilioConfig {
    pub fn new(account_sid: impl Into<String>, auth_token: SecretString) -> Self {
        Self {
            api_base_url: DEFAULT_API_BASE_URL.to_owned(),
            account_sid: account_sid.into(),
            auth_token,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    pub fn with_api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = url.into();
        self
    }

    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

/// A number offered by `AvailablePhoneNumbers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableNumber {
    pub phone_number: PhoneNumber,
    pub friendly_name: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
}

/// A number the account owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedNumber {
    pub sid: NumberSid,
    pub phone_number: PhoneNumber,
}

/// A downloaded recording.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordingAudio {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for RecordingAudio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingAudio")
            .field("content_type", &self.content_type)
            .field("len_bytes", &self.bytes.len())
            .finish()
    }
}
