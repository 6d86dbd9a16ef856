//! The webhook paths of SPEC §4 (and those our TwiML points to), and the URL set a number is
//! configured with.

use djcalls_domain::PhoneNumber;

pub const CALL_INCOMING: &str = "/api/djdash/calls/incoming";
pub const CALL_DIAL_STATUS: &str = "/api/djdash/calls/dial-status";
pub const CALL_STATUS: &str = "/api/djdash/calls/webhook";
pub const CALL_VOICEMAIL: &str = "/api/djdash/calls/voicemail";
pub const CALL_RECORDING: &str = "/api/djdash/calls/recording";
/// Real-Time Transcription's `statusCallbackUrl` (SPEC §12).
pub const CALL_TRANSCRIPTION: &str = "/api/djdash/calls/transcription";
pub const SMS_INCOMING: &str = "/api/djdash/sms/incoming";
pub const SMS_STATUS: &str = "/api/djdash/sms/status";

// Paths only TwiML we hand out points to (not in the number's configuration).
pub const WHISPER: &str = "/api/djdash/calls/whisper";
pub const WHISPER_ANSWER: &str = "/api/djdash/calls/whisper-answer";
pub const VOICEMAIL_COMPLETE: &str = "/api/djdash/calls/voicemail-complete";

/// The webhook URLs a Twilio number is configured with (all called with POST), and where its
/// static fallback TwiML lives when the service cannot answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberUrls {
    pub voice_url: String,
    pub status_callback_url: String,
    pub sms_url: String,
    /// `TWILIO_VOICE_FALLBACK_BASE_URL`, without a trailing slash: each number's
    /// `VoiceFallbackUrl` is `<base>/<fallback_file_name>`.
    pub voice_fallback_base_url: Option<String>,
}

/// The file holding a number's static fallback TwiML: its E.164 digits without the `+`, `.xml`
/// (`djcalls fallback export` writes it, `VoiceFallbackUrl` points at it).
pub fn fallback_file_name(number: &PhoneNumber) -> String {
    format!("{}.xml", number.as_str().trim_start_matches('+'))
}

impl NumberUrls {
    /// Our own endpoints under `public_base_url` (`PUBLIC_BASE_URL`).
    pub fn for_base_url(public_base_url: &str) -> Self {
        let base = public_base_url.trim_end_matches('/');
        Self {
            voice_url: format!("{base}{CALL_INCOMING}"),
            status_callback_url: format!("{base}{CALL_STATUS}"),
            sms_url: format!("{base}{SMS_INCOMING}"),
            voice_fallback_base_url: None,
        }
    }

    /// The same URLs with `VoiceFallbackUrl`s under `base` (none when `base` is `None`).
    pub fn with_voice_fallback_base(mut self, base: Option<&str>) -> Self {
        self.voice_fallback_base_url = base.map(|b| b.trim_end_matches('/').to_string());
        self
    }

    /// `number`'s `VoiceFallbackUrl`, when a fallback base is configured.
    pub fn voice_fallback_url(&self, number: &PhoneNumber) -> Option<String> {
        let base = self.voice_fallback_base_url.as_deref()?;
        Some(format!("{base}/{}", fallback_file_name(number)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_urls_point_at_our_webhooks_under_the_public_base_url() {
        let urls = NumberUrls::for_base_url("https://calls.example.com/");
        assert_eq!(
            urls.voice_url,
            "https://calls.example.com/api/djdash/calls/incoming"
        );
        assert_eq!(
            urls.status_callback_url,
            "https://calls.example.com/api/djdash/calls/webhook"
        );
        assert_eq!(
            urls.sms_url,
            "https://calls.example.com/api/djdash/sms/incoming"
        );
        assert_eq!(
            urls.voice_fallback_url(&PhoneNumber::from_trusted_e164("+14155550100")),
            None
        );
    }

    #[test]
    fn the_fallback_url_names_the_numbers_file_under_the_base() {
        let urls = NumberUrls::for_base_url("https://calls.example.com")
            .with_voice_fallback_base(Some("https://static.example.net/twiml/"));
        let number = PhoneNumber::from_trusted_e164("+14155550100");
        assert_eq!(
            urls.voice_fallback_url(&number).as_deref(),
            Some("https://static.example.net/twiml/14155550100.xml")
        );
    }
}
