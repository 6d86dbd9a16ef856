//! From command-line arguments to the application's settings and an open, migrated store.

use crate::cli::{NumberPurchaseArg, PaymentArgs, PaymentProviderArg, ServiceArgs, TwilioArgs};
pub use crate::database::{open_store, open_store_lazily, prepare_store};
use anyhow::{Context, bail};
use djcalls_app::Settings;
use djcalls_app::settings::{NumberPurchase, SIMULATOR_AUTH_TOKEN, SIMULATOR_WEBHOOK_SECRET};
use djcalls_domain::PhoneNumber;
use djcalls_domain::forwarding::ForwardingPolicy;
use djcalls_payments::{
    PaymentLinks, SimulatedPayments, StripeClient, StripeConfig, TipJarClient, TipJarConfig,
};
use djcalls_telephony::{SimulatedTelephony, Telephony, TwilioClient, TwilioConfig};
use secrecy::SecretString;
use std::sync::Arc;

pub fn settings(args: &ServiceArgs) -> anyhow::Result<Settings> {
    let public_base_url = match &args.public_base_url {
        Some(url) => {
            let url = url.trim().trim_end_matches('/');
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                bail!("PUBLIC_BASE_URL must be an http(s) URL such as https://calls.example.com");
            }
            url.to_string()
        }
        None => format!("http://{}", args.listen),
    };
    let service_key = match args.service_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) if key.len() < 16 => bail!("DJCALLS_SERVICE_KEY must be at least 16 characters"),
        Some(key) => Some(SecretString::from(key.to_string())),
    };
    let twilio = &args.twilio;
    let platform_number = match twilio.twilio_phone_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            Some(PhoneNumber::parse(raw).map_err(|e| anyhow::anyhow!("TWILIO_PHONE_NUMBER {e}"))?)
        }
    };
    let payment_secrets = configure_payments(&args.payments)?;
    let voice_fallback_base_url = voice_fallback_base_url(twilio)?;
    let safety = &args.safety;
    let forwarding_countries: Vec<String> = safety
        .forwarding_countries
        .split(',')
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    ForwardingPolicy::new(&forwarding_countries)
        .map_err(|e| anyhow::anyhow!("FORWARDING_COUNTRIES: {e}"))?;
    let metrics_token = match safety.metrics_token.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(token) if token.len() < 16 => bail!("METRICS_TOKEN must be at least 16 characters"),
        Some(token) => Some(SecretString::from(token.to_string())),
    };
    Ok(Settings {
        public_base_url: public_base_url.clone(),
        service_key,
        platform_cut: args.platform_cut_percent,
        platform_currency: args.platform_currency.clone(),
        followup_min_talk_secs: args.followup.followup_min_talk_seconds,
        twilio_auth_token: SecretString::from(
            twilio_credentials(twilio)?
                .map(|(_, token)| token)
                .unwrap_or_else(|| SIMULATOR_AUTH_TOKEN.to_string()),
        ),
        platform_number,
        record_calls: twilio.capture.record_calls,
        transcribe_calls: twilio.capture.transcribe_calls(),
        caller_name_lookup: twilio.caller_name_lookup,
        number_purchase: match twilio.number_purchase {
            NumberPurchaseArg::Pool => NumberPurchase::Pool,
            NumberPurchaseArg::OnDemand => NumberPurchase::OnDemand {
                max: twilio.number_purchase_max,
            },
        },
        number_cooling_days: twilio.number_cooling_days,
        allowed_origins: args.allowed_origins.trim().to_string(),
        frame_ancestors: frame_ancestors(&args.frame_ancestors)?,
        voice_fallback_base_url,
        // Only real Twilio keeps a call log with calls we may not have seen.
        reconcile_calls: twilio_credentials(twilio)?.is_some(),
        stripe_webhook_secret: payment_secrets.stripe,
        tipjar_webhook_secret: payment_secrets.tipjar,
        spool_dir: args.spool_dir.clone(),
        metrics_token,
        number_reassign_limit: safety.number_reassign_limit,
        forwarding_countries,
        webhooks: args.webhooks.settings(),
        ad_conversions: crate::ad_conversions::platforms(&args.ad_conversions)?,
        call_quality: crate::call_quality::voice_insights(
            &args.call_quality,
            twilio_credentials(twilio)?,
        )?,
        missed_call_text: args.followup.followup_missed_calls,
        // Follow-up and payment settings are read from the environment by the revenue issue's
        // configuration; until then the SPEC defaults apply.
        ..Settings::for_base_url(&public_base_url)
    })
}

/// `DJCALLS_FRAME_ANCESTORS`: comma-separated origins (`scheme://host[:port]`, nothing else),
/// lower-cased; empty when unset.
pub fn frame_ancestors(raw: &str) -> anyhow::Result<Vec<String>> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let origin = o.trim_end_matches('/').to_ascii_lowercase();
            let parsed = reqwest::Url::parse(&origin).ok();
            let is_origin = parsed.is_some_and(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.host().is_some()
                    && url.username().is_empty()
                    && url.password().is_none()
                    && url.path() == "/"
                    && url.query().is_none()
                    && url.fragment().is_none()
                    && url.origin().ascii_serialization() == origin
            });
            if !is_origin {
                bail!(
                    "DJCALLS_FRAME_ANCESTORS must be origins such as https://www.djdash.com \
                     (comma-separated), not {o:?}"
                );
            }
            Ok(origin)
        })
        .collect()
}

/// `TWILIO_VOICE_FALLBACK_BASE_URL`, checked, without a trailing slash; `None` when unset.
pub fn voice_fallback_base_url(twilio: &TwilioArgs) -> anyhow::Result<Option<String>> {
    let Some(raw) = non_empty(&twilio.voice_fallback_base_url) else {
        return Ok(None);
    };
    let base = raw.trim_end_matches('/');
    let parsed = reqwest::Url::parse(base).ok();
    let usable = parsed.is_some_and(|url| {
        matches!(url.scheme(), "http" | "https") && url.host().is_some() && url.query().is_none()
    });
    if !usable {
        bail!(
            "TWILIO_VOICE_FALLBACK_BASE_URL must be an http(s) URL without a query, such as \
             https://static.example.com/twiml"
        );
    }
    Ok(Some(base.to_string()))
}

/// `(account_sid, auth_token)` when both are set, `None` when neither is.
pub(crate) fn twilio_credentials(twilio: &TwilioArgs) -> anyhow::Result<Option<(String, String)>> {
    let sid = twilio
        .twilio_account_sid
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let token = twilio
        .twilio_auth_token
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (sid, token) {
        (Some(sid), Some(token)) => {
            if !(sid.starts_with("AC") && sid.len() == 34) {
                bail!("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits");
            }
            Ok(Some((sid.to_string(), token.to_string())))
        }
        (None, None) => Ok(None),
        _ => bail!(
            "set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither (simulated telephony)"
        ),
    }
}

/// The payment-link provider `PAYMENT_PROVIDER` (or its default) selects: Stripe, TipJar, or
/// the simulator, which signs its TipJar-format webhooks with `settings.tipjar_webhook_secret`
/// so they verify.
pub fn payments(args: &PaymentArgs, settings: &Settings) -> anyhow::Result<Arc<dyn PaymentLinks>> {
    Ok(provider_client(args)?.unwrap_or_else(|| simulated_payments(settings)))
}

/// Simulated payments, for commands that never take real money (accounts, bench).
pub fn simulated_payments(settings: &Settings) -> Arc<dyn PaymentLinks> {
    let secret = settings
        .tipjar_webhook_secret
        .clone()
        .unwrap_or_else(|| SecretString::from(SIMULATOR_WEBHOOK_SECRET.to_string()));
    Arc::new(SimulatedPayments::new(
        settings.public_base_url.clone(),
        secret,
    ))
}

/// Webhook secrets for [`Settings`].
struct PaymentSecrets {
    stripe: Option<SecretString>,
    tipjar: Option<SecretString>,
}

/// Checks the payment settings and returns the webhook secrets. Simulated payments verify their webhooks with the simulator's public
/// secret unless `TIPJAR_WEBHOOK_SECRET` is set.
fn configure_payments(args: &PaymentArgs) -> anyhow::Result<PaymentSecrets> {
    let name = provider_client(args)?.map_or("simulator", |c| c.name());
    let stripe = non_empty(&args.stripe_webhook_secret).map(SecretString::from);
    let tipjar = non_empty(&args.tipjar_webhook_secret).map(SecretString::from);
    match name {
        "stripe" if stripe.is_none() => tracing::warn!(
            "STRIPE_WEBHOOK_SECRET is unset: Stripe payments cannot be verified and will not be recorded"
        ),
        "tipjar" if tipjar.is_none() => tracing::warn!(
            "TIPJAR_WEBHOOK_SECRET is unset: TipJar payments cannot be verified and will not be recorded"
        ),
        "simulator" => tracing::warn!(
            "no payment provider configured (STRIPE_SECRET_KEY / TIPJAR_API_URL): payments are simulated"
        ),
        _ => tracing::info!(provider = name, "payment links use {name}"),
    }
    let tipjar = match (tipjar, name) {
        (None, "simulator") => Some(SecretString::from(SIMULATOR_WEBHOOK_SECRET.to_string())),
        (tipjar, _) => tipjar,
    };
    Ok(PaymentSecrets { stripe, tipjar })
}

/// Stripe or TipJar as `PAYMENT_PROVIDER` (or its default) selects; `None` for the simulator.
fn provider_client(args: &PaymentArgs) -> anyhow::Result<Option<Arc<dyn PaymentLinks>>> {
    let stripe_key = non_empty(&args.stripe_secret_key);
    let tipjar_url = non_empty(&args.tipjar_api_url);
    let tipjar_key = non_empty(&args.tipjar_api_key);
    let choice = match args.payment_provider {
        Some(choice) => choice,
        None if stripe_key.is_some() => PaymentProviderArg::Stripe,
        None if tipjar_url.is_some() || tipjar_key.is_some() => PaymentProviderArg::Tipjar,
        None => PaymentProviderArg::Simulator,
    };
    match choice {
        PaymentProviderArg::Stripe => {
            let Some(key) = stripe_key else {
                bail!("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY");
            };
            let mut config = StripeConfig::new(SecretString::from(key));
            config.api_base_url = args
                .stripe_api_base_url
                .trim()
                .trim_end_matches('/')
                .to_string();
            let client = StripeClient::new(config).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(Some(Arc::new(client)))
        }
        PaymentProviderArg::Tipjar => {
            let (Some(url), Some(key)) = (tipjar_url, tipjar_key) else {
                bail!("PAYMENT_PROVIDER=tipjar needs both TIPJAR_API_URL and TIPJAR_API_KEY");
            };
            let client = TipJarClient::new(TipJarConfig::new(url, SecretString::from(key)))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(Some(Arc::new(client)))
        }
        PaymentProviderArg::Simulator => Ok(None),
    }
}

/// The trimmed value, `None` when unset or blank.
pub(crate) fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The real Twilio client; an error when credentials are not configured (commands that only
/// make sense against a real account).
pub fn twilio_client(twilio: &TwilioArgs) -> anyhow::Result<Arc<dyn Telephony>> {
    if twilio_credentials(twilio)?.is_none() {
        bail!(
            "this command reads your Twilio account: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
        );
    }
    telephony(twilio)
}

/// Real Twilio when credentials are configured, otherwise the simulator.
pub fn telephony(twilio: &TwilioArgs) -> anyhow::Result<Arc<dyn Telephony>> {
    match twilio_credentials(twilio)? {
        Some((sid, token)) => {
            let config = TwilioConfig::new(sid, SecretString::from(token))
                .with_api_base_url(twilio.twilio_api_base_url.trim_end_matches('/'));
            let client = TwilioClient::new(config).context("cannot set up the Twilio client")?;
            Ok(Arc::new(client))
        }
        None => {
            tracing::warn!("TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN unset: telephony is simulated");
            Ok(Arc::new(SimulatedTelephony::new()))
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(unparseable URL)".to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Three ASCII letters (an ISO 4217 code), kept upper-case as payment events carry it.
pub fn parse_currency(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err("must be a three-letter ISO 4217 currency code, like usd".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_base_is_an_http_url_without_its_trailing_slash() {
        let with = |raw: &str| {
            let mut args = TwilioArgs {
                twilio_account_sid: None,
                twilio_auth_token: None,
                twilio_phone_number: None,
                twilio_api_base_url: "https://api.twilio.com".into(),
                capture: Default::default(),
                caller_name_lookup: false,
                number_purchase: NumberPurchaseArg::Pool,
                number_purchase_max: 10,
                number_cooling_days: 30,
                voice_fallback_base_url: None,
            };
            args.voice_fallback_base_url = Some(raw.to_string());
            voice_fallback_base_url(&args)
        };
        assert_eq!(
            with(" https://static.example.com/twiml/ ")
                .expect("valid")
                .as_deref(),
            Some("https://static.example.com/twiml")
        );
        assert_eq!(with("").expect("blank is unset"), None);
        for bad in [
            "static.example.com",
            "ftp://x.example",
            "https://x.example/t?v=1",
        ] {
            assert!(with(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn database_passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/calls"),
            "postgres://app:***@db:5432/calls"
        );
        assert_eq!(redact_url("sqlite://djcalls.db"), "sqlite://djcalls.db");
    }

    #[test]
    fn the_platform_currency_is_a_three_letter_code() {
        assert_eq!(parse_currency(" usd "), Ok("USD".to_string()));
        for bad in ["", "us", "dollars", "u$d"] {
            assert!(parse_currency(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn frame_ancestors_are_origins_only() {
        assert_eq!(
            frame_ancestors(" https://www.DJDash.com/ , http://localhost:3000").expect("valid"),
            vec!["https://www.djdash.com", "http://localhost:3000"]
        );
        assert!(frame_ancestors("").expect("unset").is_empty());
        for bad in [
            "*",
            "'none'",
            "www.djdash.com",
            "https://www.djdash.com/app",
            "https://www.djdash.com; script-src *",
            "https://user@www.djdash.com",
            "javascript:alert(1)",
        ] {
            assert!(frame_ancestors(bad).is_err(), "{bad}");
        }
    }
}
