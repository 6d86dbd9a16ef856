//! Platform operations for admins: the job queue's health, dead jobs retried by hand, the
//! SMS opt-out list, payments kept aside and refunds waiting for their payment.

use crate::{App, AppError, AppResult};
use djcalls_domain::Actor;
use djcalls_store::jobs::{Job, JobCounts};
use djcalls_store::messages::OptOut;
use djcalls_store::payments::PendingRefund;
use jiff::SignedDuration;
use uuid::Uuid;

/// The most rows one admin listing returns.
pub const ADMIN_LIST_LIMIT: u32 = 200;

/// A refund that has waited longer than this for its payment is flagged as stale: the
/// payment may never reach us (another account's, or an event lost at the provider). It is
/// kept all the same — applied if the payment still arrives — and an admin decides.
pub const PENDING_REFUND_STALE_AFTER: SignedDuration = SignedDuration::from_hours(30 * 24);

/// A refund waiting for its payment, as admins see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRefundListing {
    pub refund: PendingRefund,
    /// How long it has waited (never negative).
    pub age: SignedDuration,
    /// Waited longer than [`PENDING_REFUND_STALE_AFTER`].
    pub stale: bool,
    /// In `PLATFORM_CURRENCY` (its amount is in cents); otherwise in that currency's minor unit.
    pub in_platform_currency: bool,
}

/// Which jobs an admin asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobListing {
    Pending,
    Dead,
}

impl App {
    pub async fn job_queue(
        &self,
        actor: &Actor,
        listing: JobListing,
    ) -> AppResult<(JobCounts, Vec<Job>)> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        let counts = self.store.job_counts(actor).await?;
        let jobs = match listing {
            JobListing::Pending => self.store.pending_jobs(actor, ADMIN_LIST_LIMIT).await?,
            JobListing::Dead => self.store.dead_jobs(actor, ADMIN_LIST_LIMIT).await?,
        };
        Ok((counts, jobs))
    }

    /// Gives a dead job a fresh set of attempts, due now, and wakes the runners.
    pub async fn retry_job(&self, actor: &Actor, id: Uuid) -> AppResult<Job> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        let job = self
            .store
            .job(actor, id)
            .await?
            .ok_or(AppError::NotFound("job"))?;
        if !self.store.retry_dead_job(actor, id, self.now()).await? {
            return Err(AppError::Conflict {
                code: "job_not_dead",
                message: format!(
                    "only dead jobs can be retried; this one is {}",
                    job.state.as_str()
                ),
            });
        }
        self.jobs_due_now();
        self.store
            .job(actor, id)
            .await?
            .ok_or(AppError::NotFound("job"))
    }

    /// Payments kept aside because of their currency (SPEC §11), most recent first.
    pub async fn foreign_currency_payments(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<crate::records::ForeignCurrencyPayment>> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        Ok(self
            .store
            .foreign_currency_payments(actor, ADMIN_LIST_LIMIT)
            .await?)
    }

    /// Refunds that arrived before their payment and still wait for it, oldest first.
    pub async fn pending_refunds(&self, actor: &Actor) -> AppResult<Vec<PendingRefundListing>> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        let now = self.clock.now();
        let refunds = self.store.pending_refunds(actor, ADMIN_LIST_LIMIT).await?;
        Ok(refunds
            .into_iter()
            .map(|refund| {
                let age = now
                    .duration_since(refund.received_at.0)
                    .max(SignedDuration::ZERO);
                PendingRefundListing {
                    stale: age > PENDING_REFUND_STALE_AFTER,
                    in_platform_currency: refund
                        .currency
                        .eq_ignore_ascii_case(&self.settings.platform_currency),
                    age,
                    refund,
                }
            })
            .collect())
    }

    pub async fn opt_outs(&self, actor: &Actor) -> AppResult<Vec<OptOut>> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.opt_outs(actor, ADMIN_LIST_LIMIT).await?)
    }
}
