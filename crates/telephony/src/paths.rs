//! The webhook paths of SPEC §4 (and those our TwiML points to), and the URL set a number is
//! configured with.

pub const CALL_INCOMING: &str = "/api/djdash/calls/incoming";
pub const CALL_DIAL_STATUS: &str = "/api/djdash/calls/dial-status";
pub const CALL_STATUS: &str = "/api/djdash/calls/webhook";
pub const CALL_VOICEMAIL: &str = "/api/djdash/calls/voicemail";
pub const CALL_RECORDING: &str = "/api/djdash/calls/recording";
pub const SMS_INCOMING: &str = "/api/djdash/sms/incoming";
pub const SMS_STATUS: &str = "/api/djdash/sms/status";

// Paths only TwiML we hand out points to (not in the number's configuration).
pub const WHISPER: &str = "/api/djdash/calls/whisper";
pub const WHISPER_ANSWER: &str = "/api/djdash/calls/whisper-answer";
pub const VOICEMAIL_COMPLETE: &str = "/api/djdash/calls/voicemail-complete";

/// The webhook URLs a Twilio number is configured with (all called with POST).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberUrls {
    pub voice_url: String,
    pub status_callback_url: String,
    pub sms_url: String,
}

impl NumberUrls {
    /// Our own endpoints under `public_base_url` (`PUBLIC_BASE_URL`).
    pub fn for_base_url(public_base_url: &str) -> Self {
        let base = public_base_url.trim_end_matches('/');
        Self {
            voice_url: format!("{base}{CALL_INCOMING}"),
            status_callback_url: format!("{base}{CALL_STATUS}"),
            sms_url: format!("{base}{SMS_INCOMING}"),
        }
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
    }
}
