//! Platform operations for admins: the job queue's health, dead jobs retried by hand, and the
//! SMS opt-out list.

use crate::{App, AppError, AppResult};
use djcalls_domain::Actor;
use djcalls_store::jobs::{Job, JobCounts};
use djcalls_store::messages::OptOut;
use uuid::Uuid;

/// The most rows one admin listing returns.
pub const ADMIN_LIST_LIMIT: u32 = 200;

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

    pub async fn opt_outs(&self, actor: &Actor) -> AppResult<Vec<OptOut>> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.opt_outs(actor, ADMIN_LIST_LIMIT).await?)
    }
}
