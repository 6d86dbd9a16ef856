//! Durable jobs: an outbox table in the same database as the business rows.
//!
//! * **Enqueue** with [`enqueue`] on the connection of the transaction that makes the state
//!   change (`INSERT … ON CONFLICT (dedupe_key) DO NOTHING`): the job exists if and only if the
//!   change committed, and the same cause enqueues once.
//! * **Claim** with one `UPDATE … WHERE id IN (SELECT … ORDER BY run_at LIMIT n) RETURNING …`
//!   (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` makes it atomic). A
//!   `running` job whose lease (`locked_until`) has passed is claimable again: that is how a
//!   crash or restart mid-job is survived. Each claim stamps `locked_by` with a fresh token, so
//!   a worker that lost its lease cannot finish a job someone else now holds.
//! * **Finish**: done; a transient failure goes back to `queued` at `now + backoff`; a
//!   permanent failure, or one on the last attempt, leaves it `dead` for an admin to see and
//!   retry by hand.

use crate::{DbTime, Pool, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, DjProfileId};
use jiff::SignedDuration;
use sqlx::{PgConnection, SqliteConnection};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Dead,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    /// JSON text.
    pub payload: String,
    pub state: String,
    /// Claims so far, this one included while running.
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DbTime,
    pub locked_until: Option<DbTime>,
    /// The claim token of the worker holding it.
    pub locked_by: Option<String>,
    /// A short reason, never a phone number or a message body.
    pub last_error: Option<String>,
    pub dedupe_key: String,
    pub dj_profile_id: Option<Uuid>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

impl Job {
    pub fn state(&self) -> Option<JobState> {
        JobState::parse(&self.state)
    }
}

const COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, run_at, locked_until, \
    locked_by, last_error, dedupe_key, dj_profile_id, created_at, updated_at";

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: String,
    /// JSON text.
    pub payload: String,
    /// One job per key, ever: a second enqueue with the same key does nothing.
    pub dedupe_key: String,
    pub dj_profile_id: Option<DjProfileId>,
    pub run_at: DbTime,
    pub max_attempts: i32,
}

/// Jobs per state, for the admin console's queue health.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

/// The retry delay after attempt `attempts` failed: 30 s doubling per attempt, capped at one
/// hour, times a jitter factor in [0.8, 1.2) from `jitter` in [0, 1) (so many jobs failing
/// together do not come back together).
pub fn backoff(attempts: i32, jitter: f64) -> SignedDuration {
    const BASE_SECS: f64 = 30.0;
    const CAP_SECS: f64 = 3600.0;
    let exponent = attempts.clamp(1, 30) - 1;
    let secs = (BASE_SECS * 2f64.powi(exponent)).min(CAP_SECS);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    SignedDuration::from_secs_f64(secs * factor)
}

/// `at + by`, saturating at the end of time.
pub fn later(at: DbTime, by: SignedDuration) -> DbTime {
    DbTime(at.0.saturating_add(by).unwrap_or(at.0))
}

/// A connection a job can be enqueued on: the `conn` inside an `in_tx!` body, on either
/// backend.
pub trait JobConn: Send {
    /// Enqueues `job` unless one with its dedupe key exists; true when it was new.
    fn enqueue_job(
        &mut self,
        job: &NewJob,
        now: DbTime,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;
}

const ENQUEUE_SQL: &str = "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, \
     dedupe_key, dj_profile_id, created_at, updated_at) \
     VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $8, $8) \
     ON CONFLICT (dedupe_key) DO NOTHING";

macro_rules! impl_job_conn {
    ($conn:ty) => {
        impl JobConn for $conn {
            async fn enqueue_job(&mut self, job: &NewJob, now: DbTime) -> sqlx::Result<bool> {
                let done = sqlx::query(ENQUEUE_SQL)
                    .bind(Uuid::now_v7())
                    .bind(&job.kind)
                    .bind(&job.payload)
                    .bind(job.max_attempts.max(1))
                    .bind(job.run_at)
                    .bind(&job.dedupe_key)
                    .bind(job.dj_profile_id.map(|p| p.0))
                    .bind(now)
                    .execute(&mut *self)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_job_conn!(PgConnection);
impl_job_conn!(SqliteConnection);

/// Enqueues `job` on `conn` (inside the caller's transaction); true when it was new.
pub async fn enqueue<C: JobConn + ?Sized>(
    conn: &mut C,
    job: &NewJob,
    now: DbTime,
) -> sqlx::Result<bool> {
    conn.enqueue_job(job, now).await
}

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

    pub async fn job(&self, actor: &Actor, id: Uuid) -> StoreResult<Option<Job>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Job>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM jobs WHERE id = $1",
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    pub async fn job_by_dedupe_key(&self, actor: &Actor, key: &str) -> StoreResult<Option<Job>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Job>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM jobs WHERE dedupe_key = $1",
            ))
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Queued and running jobs, next due first.
    pub async fn pending_jobs(&self, actor: &Actor, limit: u32) -> StoreResult<Vec<Job>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Job>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM jobs WHERE state IN ('queued', 'running') \
                 ORDER BY run_at, id LIMIT $1",
            ))
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Dead jobs, most recently failed first.
    pub async fn dead_jobs(&self, actor: &Actor, limit: u32) -> StoreResult<Vec<Job>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Job>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM jobs WHERE state = 'dead' \
                 ORDER BY updated_at DESC, id DESC LIMIT $1",
            ))
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Gives a dead job a fresh set of attempts, due now (an admin's retry by hand). False
    /// when there is no such dead job.
    pub async fn retry_dead_job(&self, actor: &Actor, id: Uuid, now: DbTime) -> StoreResult<bool> {
        Ok(in_tx!(self, actor, write, |conn| {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, locked_until = NULL, \
                 locked_by = NULL, updated_at = $2 WHERE id = $1 AND state = 'dead'",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0
        }))
    }

    pub async fn job_counts(&self, actor: &Actor) -> StoreResult<JobCounts> {
        let rows: Vec<(String, i64)> = in_tx!(self, actor, read, |conn| {
            sqlx::query_as("SELECT state, CAST(count(*) AS BIGINT) FROM jobs GROUP BY state")
                .fetch_all(&mut *conn)
                .await?
        });
        let mut counts = JobCounts::default();
        for (state, n) in rows {
            match JobState::parse(&state) {
                Some(JobState::Queued) => counts.queued = n,
                Some(JobState::Running) => counts.running = n,
                Some(JobState::Done) => counts.done = n,
                Some(JobState::Dead) => counts.dead = n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Deletes finished jobs last touched before `before`; returns how many.
    pub async fn prune_done_jobs(&self, before: DbTime) -> StoreResult<u64> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM jobs WHERE state = 'done' AND updated_at < $1")
                .bind(before)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }
}
