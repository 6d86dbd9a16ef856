//! What keeps one account from draining the pool or turning forwarding into fraud (SPEC §11):
//! a DJ gets at most `NUMBER_REASSIGN_LIMIT` new numbers after their first per 30 days
//! (counted in the database, so every process counts together), and calls are forwarded only
//! to ordinary numbers of `FORWARDING_COUNTRIES` that are not our own.

use crate::{App, AppError, AppResult};
use djcalls_domain::forwarding::{ForbiddenDestination, ForwardingPolicy};
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_store::DbTime;
use jiff::SignedDuration;

/// The window the reassignment limit counts over.
pub const REASSIGN_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

impl App {
    /// Refuses a forwarding number that is abroad, a special service, one of the pool's
    /// numbers (ours or another DJ's) or the platform number: 400 `forbidden_destination`.
    pub(crate) async fn check_forwarding(&self, real: &PhoneNumber) -> AppResult<()> {
        let policy = ForwardingPolicy::new(&self.settings.forwarding_countries)
            .map_err(|e| AppError::internal(std::io::Error::other(e)))?;
        let verdict = match policy.check(real) {
            Err(why) => Err(why),
            Ok(()) if self.settings.platform_number.as_ref() == Some(real) => {
                Err(ForbiddenDestination::OurNumber)
            }
            Ok(()) if self.store.is_pool_number(real.as_str()).await? => {
                Err(ForbiddenDestination::OurNumber)
            }
            Ok(()) => Ok(()),
        };
        verdict.map_err(|why| {
            tracing::info!(number = %real.masked(), ?why, "refused a forwarding number");
            AppError::Refused {
                code: "forbidden_destination",
                field: "real_phone_number",
                message: why.message().to_string(),
            }
        })
    }

    /// Before a DJ (not an admin or the service) without a number gets one: refused with 429
    /// `reassign_limit` once they got `NUMBER_REASSIGN_LIMIT` numbers after their first in
    /// the last 30 days. Concurrent requests cannot overshoot: a DJ holds one number at a time
    /// (a unique index), so each new number follows a release.
    pub(crate) async fn check_reassign_limit(
        &self,
        actor: &Actor,
        dj: DjProfileId,
    ) -> AppResult<()> {
        if !matches!(actor, Actor::Dj { .. }) {
            return Ok(());
        }
        if self.store.assigned_number(actor, dj).await?.is_some() {
            return Ok(()); // they keep the number they have
        }
        let now = self.now().0;
        let since = now
            .checked_sub(REASSIGN_WINDOW)
            .map_err(AppError::internal)?;
        let (first, mut recent) = self
            .store
            .assignments_since(actor, dj, DbTime(since))
            .await?;
        let Some(first) = first else {
            return Ok(()); // their first number
        };
        if recent.first() == Some(&first) {
            recent.remove(0); // the first number is not a reassignment
        }
        let limit = usize::try_from(self.settings.number_reassign_limit).unwrap_or(usize::MAX);
        if recent.len() < limit {
            return Ok(());
        }
        // Allowed again when enough of them have left the window (with no limit at all, in a
        // window's time from the latest).
        let frees_one = recent
            .get(recent.len() - limit)
            .or(recent.last())
            .map_or(now, |t| t.0);
        let wait = now.duration_until(frees_one.checked_add(REASSIGN_WINDOW).unwrap_or(now));
        Err(AppError::Limited {
            code: "reassign_limit",
            message: format!(
                "This DJ got {limit} new numbers in the last 30 days, the most allowed; keep \
                 the current one or ask support."
            ),
            retry_after_secs: u64::try_from(wait.as_secs()).unwrap_or(0).max(1),
        })
    }
}
