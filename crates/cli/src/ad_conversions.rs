//! `GA4_*` and `META_*`: where payments are reported as ad conversions (SPEC §14). A platform
//! is on when both its id and its secret are set; one without the other is refused.

use anyhow::bail;
use clap::Args;
use djcalls_conversions::{AdPlatforms, Ga4Config, MetaConfig, meta, secret};

#[derive(Args, Debug, Clone, Default)]
pub struct AdConversionArgs {
    /// GA4 Measurement ID (`G-…`); with GA4_API_SECRET, payments after a widget click are
    /// sent to GA4 as `purchase` (refunds as `refund`).
    #[arg(long, env = "GA4_MEASUREMENT_ID")]
    pub ga4_measurement_id: Option<String>,
    /// GA4 Measurement Protocol API secret.
    #[arg(long, env = "GA4_API_SECRET", hide_env_values = true)]
    pub ga4_api_secret: Option<String>,
    /// GA4 Measurement Protocol host (default https://www.google-analytics.com).
    #[arg(long, env = "GA4_API_BASE_URL")]
    pub ga4_api_base_url: Option<String>,
    /// Meta pixel (dataset) id; with META_ACCESS_TOKEN, payments are sent to the Meta
    /// Conversions API as `Purchase`.
    #[arg(long, env = "META_PIXEL_ID")]
    pub meta_pixel_id: Option<String>,
    /// Meta Conversions API access token.
    #[arg(long, env = "META_ACCESS_TOKEN", hide_env_values = true)]
    pub meta_access_token: Option<String>,
    /// Meta Graph API host (default https://graph.facebook.com).
    #[arg(long, env = "META_API_BASE_URL")]
    pub meta_api_base_url: Option<String>,
    /// Graph API version of the Conversions API requests, `vNN.N` (default: the version this
    /// build was checked against, `djcalls_conversions::meta::API_VERSION`).
    #[arg(long, env = "META_API_VERSION")]
    pub meta_api_version: Option<String>,
}

fn set(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn base_url(name: &str, value: &Option<String>) -> anyhow::Result<Option<String>> {
    match set(value) {
        None => Ok(None),
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(Some(url.to_string()))
        }
        Some(_) => bail!("{name} must be an http(s) URL"),
    }
}

/// The platforms configured by `args`.
pub fn platforms(args: &AdConversionArgs) -> anyhow::Result<AdPlatforms> {
    let ga4_base = base_url("GA4_API_BASE_URL", &args.ga4_api_base_url)?;
    let ga4 = match (set(&args.ga4_measurement_id), set(&args.ga4_api_secret)) {
        (Some(id), Some(key)) => Some(Ga4Config::new(id, secret(key), ga4_base.as_deref())),
        (None, None) => None,
        _ => bail!("GA4_MEASUREMENT_ID and GA4_API_SECRET go together"),
    };
    let meta_base = base_url("META_API_BASE_URL", &args.meta_api_base_url)?;
    let meta_version = match set(&args.meta_api_version) {
        None => meta::API_VERSION,
        Some(v) if meta::is_api_version(v) => v,
        Some(_) => bail!("META_API_VERSION must look like v26.0"),
    };
    let meta = match (set(&args.meta_pixel_id), set(&args.meta_access_token)) {
        (Some(id), Some(token)) => Some(
            MetaConfig::new(id, secret(token), meta_base.as_deref()).with_api_version(meta_version),
        ),
        (None, None) => None,
        _ => bail!("META_PIXEL_ID and META_ACCESS_TOKEN go together"),
    };
    Ok(AdPlatforms { ga4, meta })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_platform_needs_its_id_and_its_secret() {
        let none = platforms(&AdConversionArgs::default()).unwrap();
        assert!(none.ga4.is_none() && none.meta.is_none());
        let both = AdConversionArgs {
            ga4_measurement_id: Some("G-1".into()),
            ga4_api_secret: Some("s".into()),
            meta_pixel_id: Some("1".into()),
            meta_access_token: Some("t".into()),
            meta_api_base_url: Some("http://127.0.0.1:9/".into()),
            ..AdConversionArgs::default()
        };
        let on = platforms(&both).unwrap();
        assert_eq!(on.ga4.unwrap().base_url, "https://www.google-analytics.com");
        assert_eq!(on.meta.unwrap().base_url, "http://127.0.0.1:9");
        let half = AdConversionArgs {
            ga4_measurement_id: Some("G-1".into()),
            ..AdConversionArgs::default()
        };
        assert!(platforms(&half).is_err());
    }

    #[test]
    fn meta_api_version_is_a_setting_with_a_checked_default() {
        let meta_args = |version: Option<&str>| AdConversionArgs {
            meta_pixel_id: Some("1".into()),
            meta_access_token: Some("t".into()),
            meta_api_version: version.map(str::to_string),
            ..AdConversionArgs::default()
        };
        let default = platforms(&meta_args(None)).unwrap().meta.unwrap();
        assert_eq!(default.api_version, "v26.0");
        let chosen = platforms(&meta_args(Some("v25.0"))).unwrap().meta.unwrap();
        assert_eq!(chosen.api_version, "v25.0");
        for bad in ["25.0", "v25", "v25.0/x", "latest"] {
            assert!(platforms(&meta_args(Some(bad))).is_err(), "{bad}");
        }
    }
}
