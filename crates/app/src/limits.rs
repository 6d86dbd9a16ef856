//! Rate limits kept in the database, so every process on it counts together: sign-in
//! attempts per client, per email and client, and per email; widget clicks per client
//! (`domain::rate_limit` has the windows). An attempt is counted before it is judged, in one transaction of atomic upserts
//! (`store::limits`), so concurrent attempts through any process cannot overshoot. Keys are
//! hashed: no email or address is stored. The same code runs on SQLite (one process), where
//! the counts also survive a restart.
//!
//! Kept per process on purpose: the widget's global click bucket (`http::api::click_limiter`),
//! which guards each process's own capacity and so grows with every process added.

use crate::{App, AppResult};
use djcalls_domain::rate_limit::{
    CLICKS_PER_CLIENT, FixedWindow, SIGN_IN_FAILURES_PER_CLIENT, SIGN_IN_FAILURES_PER_EMAIL,
    SIGN_IN_FAILURES_PER_EMAIL_AND_CLIENT,
};
use djcalls_store::DbTime;
use djcalls_store::limits::RateHit;
use jiff::SignedDuration;
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

/// Whether a sign-in attempt may be checked (SPEC §11: guessing is throttled, and a flood of
/// wrong passwords never stops the owner signing in with the right one).
///
/// Throttling a client, or a client on one email, is safe: it only slows whoever is there.
/// Throttling an email as such would let anyone lock its owner out, so the email's shared
/// quota never refuses a check: past it the password is still checked, the right one gets in
/// and a wrong one is answered exactly as a throttled attempt — so guessing spread over many
/// clients learns nothing from wrong guesses, while the owner is never stopped. Chosen over a
/// device cookie (which would still lock the owner out on a new device) and over CAPTCHAs
/// (a third party, and no help to API clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInAdmission {
    /// Check the password.
    Check,
    /// Check it, but answer a wrong one as throttled, waiting this long.
    CheckOnlyRight { retry_after: Duration },
    /// Do not check: this client is past its quota (on this email, or on all).
    Refused { retry_after: Duration },
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

fn email_client_key(email: &str, client: &str) -> String {
    key(
        "sign-in-email-client",
        &format!("{}\n{client}", email.trim().to_lowercase()),
    )
}

fn as_wait(wait: SignedDuration) -> Duration {
    Duration::try_from(wait).unwrap_or(Duration::from_secs(1))
}

impl App {
    /// Counts a sign-in attempt for `email` from `client` (when known) and says whether it may
    /// be checked. Counted as a failure until [`App::sign_in_succeeded`] says otherwise.
    pub async fn sign_in_attempt(
        &self,
        email: &str,
        client: Option<&str>,
    ) -> AppResult<SignInAdmission> {
        let mut rules = vec![(email_key(email), SIGN_IN_FAILURES_PER_EMAIL)];
        if let Some(client) = client {
            rules.push((client_key(client), SIGN_IN_FAILURES_PER_CLIENT));
            rules.push((
                email_client_key(email, client),
                SIGN_IN_FAILURES_PER_EMAIL_AND_CLIENT,
            ));
        }
        let waits = self.count_each(&rules).await?;
        let email_wait = waits[0];
        let client_wait = waits[1..].iter().flatten().max();
        Ok(match (client_wait, email_wait) {
            (Some(wait), _) => SignInAdmission::Refused {
                retry_after: as_wait(*wait),
            },
            (None, Some(wait)) => SignInAdmission::CheckOnlyRight {
                retry_after: as_wait(wait),
            },
            (None, None) => SignInAdmission::Check,
        })
    }

    /// The attempt signed in: it no longer counts against the email or the client, and the
    /// failures of this client on this email are forgiven.
    pub async fn sign_in_succeeded(&self, email: &str, client: Option<&str>) -> AppResult<()> {
        self.store.take_back_rate_hit(&email_key(email)).await?;
        if let Some(client) = client {
            self.store
                .clear_rate_limit(&email_client_key(email, client))
                .await?;
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
        let wait = self.count_each(rules).await?.into_iter().flatten().max();
        Ok(match wait {
            None => Admission::Allowed,
            Some(wait) => Admission::Refused {
                retry_after: as_wait(wait),
            },
        })
    }

    /// Counts one hit on every key; for each, in order, how long it must wait if it is past
    /// its quota.
    async fn count_each(
        &self,
        rules: &[(String, FixedWindow)],
    ) -> AppResult<Vec<Option<SignedDuration>>> {
        let now = self.now().0;
        let hits: Vec<RateHit<'_>> = rules
            .iter()
            .map(|(key, rule)| RateHit {
                key,
                ended_by: DbTime(rule.ended_by(now)),
            })
            .collect();
        let counts = self.store.hit_rate_limits(&hits, DbTime(now)).await?;
        Ok(rules
            .iter()
            .zip(&counts)
            .map(|((_, rule), count)| rule.refusal(count.hits, count.window_started_at.0, now))
            .collect())
    }
}
