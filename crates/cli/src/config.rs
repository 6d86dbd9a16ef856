//! From command-line arguments to the application's settings and an open, migrated store.

use crate::cli::{DatabaseArgs, ServiceArgs};
use anyhow::{Context, bail};
use djcalls_app::Settings;
use djcalls_store::Store;
use secrecy::SecretString;

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
    Ok(Settings {
        public_base_url,
        service_key,
        platform_cut: args.platform_cut_percent,
        followup_min_talk_seconds: args.followup_min_talk_seconds,
    })
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
