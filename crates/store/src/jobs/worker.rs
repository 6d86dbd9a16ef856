//! The worker's side of the queue: enqueue on its own, claim due jobs under a lease, and
//! settle a claimed job (done, retry later, dead, or wait without counting an attempt).

use super::{COLUMNS, Job, JobState, NewJob, enqueue, later};
use crate::{DbTime, Pool, Store, StoreResult, sql_with};
use djcalls_domain::Actor;
use jiff::SignedDuration;
use uuid::Uuid;

const CLAIM_PG: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
     locked_until = $2, locked_by = $3, updated_at = $1 \
     WHERE id IN (SELECT id FROM jobs \
       WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1) \
       ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING {COLUMNS}";
const CLAIM_LITE: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
     locked_until = $2, locked_by = $3, updated_at = $1 \
     WHERE id IN (SELECT id FROM jobs \
       WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1) \
       ORDER BY run_at, id LIMIT $4) \
     RETURNING {COLUMNS}";
/// A job whose lease ran out on its last attempt (the worker died with it) is dead, not
/// claimed again: a job that crashes its worker must not crash every worker forever.
const BURY_EXPIRED: &str = "UPDATE jobs SET state = 'dead', locked_until = NULL, locked_by = NULL, \
     last_error = 'lease expired on the last attempt (worker stopped or crashed)', updated_at = $1 \
     WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts";

impl Store {
    /// Enqueues `job` in a transaction of its own; true when it was new.
    pub async fn enqueue_job(&self, job: &NewJob, now: DbTime) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            enqueue(conn, job, now).await?
        }))
    }

    /// Claims up to `limit` due jobs (and running ones whose lease has passed) for `lease`.
    /// Concurrent claimers never get the same job.
    pub async fn claim_jobs(
        &self,
        now: DbTime,
        lease: SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<Job>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let token = Uuid::new_v4().to_string();
        let until = later(now, lease);
        let claim = match self.pool {
            Pool::Pg(_) => CLAIM_PG,
            Pool::Lite(_) => CLAIM_LITE,
        };
        let mut jobs: Vec<Job> = in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(BURY_EXPIRED)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            sqlx::query_as::<_, Job>(sql_with(COLUMNS, claim))
                .bind(now)
                .bind(until)
                .bind(&token)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?
        });
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Marks a claimed job done. False when the claim was lost (the lease passed and another
    /// worker holds it now).
    pub async fn complete_job(&self, job: &Job, now: DbTime) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE jobs SET state = 'done', locked_until = NULL, updated_at = $3 \
                 WHERE id = $1 AND state = 'running' AND locked_by = $2",
            )
            .bind(job.id)
            .bind(&job.locked_by)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0
        }))
    }

    /// Records a failed attempt: back to `queued` at `retry_at` when one is given and attempts
    /// remain, else `dead`. Returns the job's new state, `None` when the claim was lost.
    pub async fn fail_job(
        &self,
        job: &Job,
        error: &str,
        retry_at: Option<DbTime>,
        now: DbTime,
    ) -> StoreResult<Option<JobState>> {
        let state: Option<String> = in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query_scalar(
                "UPDATE jobs SET \
                 state = CASE WHEN $3 AND attempts < max_attempts THEN 'queued' ELSE 'dead' END, \
                 run_at = CASE WHEN $3 AND attempts < max_attempts THEN $4 ELSE run_at END, \
                 last_error = $5, locked_until = NULL, locked_by = NULL, updated_at = $6 \
                 WHERE id = $1 AND state = 'running' AND locked_by = $2 RETURNING state",
            )
            .bind(job.id)
            .bind(&job.locked_by)
            .bind(retry_at.is_some())
            .bind(retry_at.unwrap_or(now))
            .bind(error)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        });
        Ok(state.as_deref().and_then(JobState::parse))
    }

    /// Puts a claimed job back to wait until `at` without counting the attempt (quiet hours:
    /// not a failure). False when the claim was lost.
    pub async fn reschedule_job(&self, job: &Job, at: DbTime, now: DbTime) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $3, \
                 attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
                 locked_until = NULL, locked_by = NULL, updated_at = $4 \
                 WHERE id = $1 AND state = 'running' AND locked_by = $2",
            )
            .bind(job.id)
            .bind(&job.locked_by)
            .bind(at)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0
        }))
    }
}
