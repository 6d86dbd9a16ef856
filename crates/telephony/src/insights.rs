//! Twilio Voice Insights' call summary (`GET {base}/v1/Voice/{CallSid}/Summary`, Basic auth
//! with the account's SID and auth token, as the REST client): who hung up, the post-dial
//! delay and the media figures, read into a domain [`CallQuality`].
//!
//! Field names as Twilio documents them ("Details: Call Summary") and its SDKs read them:
//! `properties.disconnected_by` (`caller` / `callee`), `properties.pdd_ms`, and per media edge
//! (`carrier_edge` for a PSTN call, else `sip_edge`, `client_edge`, `sdk_edge`)
//! `metrics.{inbound,outbound}.jitter.avg` and `.packets_loss_percentage`; a MOS only where an
//! edge reports one (`metrics.inbound.mos.avg`, the Voice SDK's edge). A summary still
//! `processing_state: partial` is not ready: Twilio completes it within about 30 minutes.

mod summary;

use crate::error::TwilioError;
use djcalls_domain::quality::CallQuality;
use secrecy::{ExposeSecret, SecretString};
use std::sync::OnceLock;
use std::time::Duration;

pub use summary::quality_of_summary;

pub const DEFAULT_INSIGHTS_BASE_URL: &str = "https://insights.twilio.com";

/// How to reach Voice Insights. `Debug` redacts the auth token.
#[derive(Clone, Debug)]
pub struct VoiceInsightsConfig {
    /// `https://insights.twilio.com`, or a fake in tests (`TWILIO_INSIGHTS_BASE_URL`), without
    /// a trailing slash.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: SecretString,
}

impl VoiceInsightsConfig {
    pub fn new(base_url: Option<&str>, account_sid: &str, auth_token: SecretString) -> Self {
        VoiceInsightsConfig {
            base_url: base_url
                .unwrap_or(DEFAULT_INSIGHTS_BASE_URL)
                .trim_end_matches('/')
                .to_string(),
            account_sid: account_sid.to_string(),
            auth_token,
        }
    }
}

/// What asking for a call's summary came to.
#[derive(Clone, Debug, PartialEq)]
pub enum SummaryAnswer {
    /// 404, or a summary still being assembled: ask again later.
    NotReady,
    Ready(CallQuality),
}

/// One attempt may take this long (a job holds a runner slot meanwhile).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The process's one HTTP client for Voice Insights.
fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("djcalls/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// Reads the summary of `call_sid` (a checked `CA…` SID, so it is safe in the path).
/// Errors classify as [`TwilioError::is_retryable`] says (timeouts, 429, 5xx) or not.
pub async fn fetch_call_summary(
    config: &VoiceInsightsConfig,
    call_sid: &crate::CallSid,
) -> Result<SummaryAnswer, TwilioError> {
    let url = format!("{}/v1/Voice/{}/Summary", config.base_url, call_sid.as_str());
    let response = http()
        .get(url)
        .basic_auth(&config.account_sid, Some(config.auth_token.expose_secret()))
        .send()
        .await
        .map_err(TwilioError::from_reqwest)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(TwilioError::from_reqwest)?;
    match status {
        200..=299 => {}
        404 => return Ok(SummaryAnswer::NotReady),
        _ => {
            let text = String::from_utf8_lossy(&body);
            return Err(TwilioError::from_response(status, &text));
        }
    }
    let json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| TwilioError::UnexpectedResponse(format!("call summary: {e}")))?;
    Ok(match quality_of_summary(&json) {
        Some(quality) => SummaryAnswer::Ready(quality),
        None => SummaryAnswer::NotReady,
    })
}
