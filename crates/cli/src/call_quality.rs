//! `TWILIO_CALL_QUALITY` and `TWILIO_INSIGHTS_BASE_URL`: reading each call's quality from
//! Twilio Voice Insights after it ends (SPEC §12). On with real Twilio unless turned off (the
//! account needs Voice Insights Advanced Features); the simulator has no summaries to read.

use anyhow::bail;
use clap::Args;
use djcalls_telephony::VoiceInsightsConfig;
use secrecy::SecretString;

#[derive(Args, Debug, Clone)]
pub struct CallQualityArgs {
    /// Read each call's quality (who hung up, post-dial delay, MOS, jitter, packet loss)
    /// from Twilio Voice Insights after it ends; needs real Twilio.
    #[arg(long, env = "TWILIO_CALL_QUALITY", default_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub call_quality: bool,
    /// Voice Insights base URL (default https://insights.twilio.com; tests point it at a fake).
    #[arg(long, env = "TWILIO_INSIGHTS_BASE_URL")]
    pub twilio_insights_base_url: Option<String>,
}

/// Where call summaries are read, given the Twilio credentials (`None`: simulated telephony).
pub fn voice_insights(
    args: &CallQualityArgs,
    credentials: Option<(String, String)>,
) -> anyhow::Result<Option<VoiceInsightsConfig>> {
    let base = args
        .twilio_insights_base_url
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if let Some(url) = base
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("TWILIO_INSIGHTS_BASE_URL must be an http(s) URL");
    }
    let Some((sid, token)) = credentials.filter(|_| args.call_quality) else {
        return Ok(None);
    };
    Ok(Some(VoiceInsightsConfig::new(
        base,
        &sid,
        SecretString::from(token),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(on: bool, base: Option<&str>) -> CallQualityArgs {
        CallQualityArgs {
            call_quality: on,
            twilio_insights_base_url: base.map(str::to_string),
        }
    }

    fn creds() -> Option<(String, String)> {
        Some(("AC123".to_string(), "token".to_string()))
    }

    #[test]
    fn real_twilio_reads_insights_at_the_default_base_unless_turned_off() {
        let on = voice_insights(&args(true, None), creds()).unwrap().unwrap();
        assert_eq!(on.base_url, "https://insights.twilio.com");
        assert_eq!(on.account_sid, "AC123");
        let fake = voice_insights(&args(true, Some("http://127.0.0.1:9/")), creds());
        assert_eq!(fake.unwrap().unwrap().base_url, "http://127.0.0.1:9");
        assert!(
            voice_insights(&args(false, None), creds())
                .unwrap()
                .is_none()
        );
        assert!(voice_insights(&args(true, None), None).unwrap().is_none());
        assert!(voice_insights(&args(true, Some("ftp://x")), creds()).is_err());
    }
}
