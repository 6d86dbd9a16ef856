//! Rate limits kept in the database, so every process on it counts together: sign-in
//! attempts per email and per client, widget clicks per client (`domain::rate_limit` has the
//! windows). An attempt is counted before it is judged, in one transaction of atomic upserts
//! (`store::limits`), so concurrent attempts through any process cannot overshoot. Keys are
//! hashed: no email or address is stored. The same code runs on SQLite (one process), where
//! the counts also survive a restart.
//!
//! Kept per process on purpose: the widget's global click bucket (`http::api::click_limiter`),
//! which guards each process's own capacity and so grows with every process added.

use crate::{App, AppResult};
use djcalls_domain::rate_limit::{
    CLICKS_PER_CLIENT, FixedWindow, SIGN_IN_FAILURES_PER_CLIENT, SIGN_IN_FAILURES_PER_EMAIL,
};
use djcalls_store::DbTime;
use djcalls_store::limits::RateHit;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Whether an attempt may go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Allowed,
    /// The quota is used: try again after this long.
    Refused {
        retry_after: Duration,
    },
}

fn key(kind: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("{kind}:{value}").as_bytes()))
}

fn email_key(email: &str) -> String {
    key("sign-in-email", &email.trim().to_lowercase())
}

fn client_key(client: &str) -> String {
    key("sign-in-client", client)
}

impl App {
    /// Counts a sign-in attempt for `email` from `client` (when known) and says whether it may
    /// be checked. Counted as a failure until [`App::sign_in_succeeded`] says otherwise.
    pub async fn sign_in_attempt(&self, email: &str, client: Option<&str>) -> AppResult<Admission> {
        let mut rules = vec![(email_key(email), SIGN_IN_FAILURES_PER_EMAIL)];
        if let Some(client) = client {
            rules.push((client_key(client), SIGN_IN_FAILURES_PER_CLIENT));
        }
        self.count(&rules).await
    }

    /// The attempt signed in: the email's failures are forgiven, and the attempt no longer
    /// counts against its client.
    pub async fn sign_in_succeeded(&self, email: &str, client: Option<&str>) -> AppResult<()> {
        self.store.clear_rate_limit(&email_key(email)).await?;
        if let Some(client) = client {
            self.store.take_back_rate_hit(&client_key(client)).await?;
        }
        Ok(())
    }

    /// Counts a widget click from `client` and says whether to record it.
    pub async fn take_click(&self, client: &str) -> AppResult<Admission> {
        self.count(&[(key("click", client), CLICKS_PER_CLIENT)])
            .await
    }

    /// Counts one hit on every key; refused when any key is past its quota (waiting for the
    /// latest window end among them).
    async fn count(&self, rules: &[(String, FixedWindow)]) -> AppResult<Admission> {
        let now = self.now().0;
        let hits: Vec<RateHit<'_>> = rules
            .iter()
            .map(|(key, rule)| RateHit {
                key,
                ended_by: DbTime(rule.ended_by(now)),
            })
            .collect();
        let counts = self.store.hit_rate_limits(&hits, DbTime(now)).await?;
        let wait = rules
            .iter()
            .zip(&counts)
            .filter_map(|((_, rule), count)| {
                rule.refusal(count.hits, count.window_started_at.0, now)
            })
            .max();
        Ok(match wait {
            None => Admission::Allowed,
            Some(wait) => Admission::Refused {
                retry_after: Duration::try_from(wait).unwrap_or(Duration::from_secs(1)),
            },
        })
    }
}
