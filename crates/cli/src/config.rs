//! From command-line arguments to the application's settings and an open, migrated store.

use crate::cli::{DatabaseArgs, NumberPurchaseArg, ServiceArgs, TwilioArgs};
use anyhow::{Context, bail};
use djcalls_app::Settings;
use djcalls_app::settings::{NumberPurchase, SIMULATOR_AUTH_TOKEN};
use djcalls_domain::PhoneNumber;
use djcalls_payments::{PaymentLinks, SimulatedPayments};
use djcalls_store::Store;
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
        Some(raw) => Some(
            PhoneNumber::parse(raw).map_err(|e| anyhow::anyhow!("TWILIO_PHONE_NUMBER {e}"))?,
        ),
    };
    Ok(Settings {
        public_base_url: public_base_url.clone(),
        service_key,
        platform_cut: args.platform_cut_percent,
        followup_min_talk_seconds: args.followup_min_talk_seconds,
        twilio_auth_token: SecretString::from(
            twilio_credentials(twilio)?
                .map(|(_, token)| token)
                .unwrap_or_else(|| SIMULATOR_AUTH_TOKEN.to_string()),
        ),
        platform_number,
        record_calls: twilio.record_calls,
        caller_name_lookup: twilio.caller_name_lookup,
        number_purchase: match twilio.number_purchase {
            NumberPurchaseArg::Pool => NumberPurchase::Pool,
            NumberPurchaseArg::OnDemand => NumberPurchase::OnDemand {
                max: twilio.number_purchase_max,
            },
        },
        number_cooling_days: twilio.number_cooling_days,
        // Follow-up and payment settings are read from the environment by the revenue issue's
        // configuration; until then the SPEC defaults apply.
        ..Settings::for_base_url(&public_base_url)
    })
}

/// `(account_sid, auth_token)` when both are set, `None` when neither is.
fn twilio_credentials(twilio: &TwilioArgs) -> anyhow::Result<Option<(String, String)>> {
    let sid = twilio.twilio_account_sid.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let token = twilio.twilio_auth_token.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (sid, token) {
        (Some(sid), Some(token)) => {
            if !(sid.starts_with("AC") && sid.len() == 34) {
                bail!("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits");
            }
            Ok(Some((sid.to_string(), token.to_string())))
        }
        (None, None) => Ok(None),
        _ => bail!("set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither (simulated telephony)"),
    }
}

/// The payment-link provider. Stripe and TipJar selection (`PAYMENT_PROVIDER`) is wired in
/// `payments_from_env`; without their settings payments are simulated.
pub fn payments(settings: &Settings) -> Arc<dyn PaymentLinks> {
    Arc::new(SimulatedPayments::new(
        settings.public_base_url.clone(),
        SecretString::from(djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET.to_string()),
    ))
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

/// Connects and applies pending migrations, with errors that say which database (password
/// hidden) and why.
pub async fn open_store(db: &DatabaseArgs) -> anyhow::Result<Store> {
    let shown = redact_url(&db.database_url);
    if djcalls_store::backend_of(&db.database_url).is_none() {
        bail!("DATABASE_URL must start with sqlite:// or postgres:// (got {shown})");
    }
    let store = Store::connect(&db.database_url)
        .await
        .with_context(|| format!("cannot open the database at {shown}"))?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot apply migrations to {shown}"))?;
    Ok(store)
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(unparseable URL)".to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/calls"),
            "postgres://app:***@db:5432/calls"
        );
        assert_eq!(redact_url("sqlite://djcalls.db"), "sqlite://djcalls.db");
    }
}
