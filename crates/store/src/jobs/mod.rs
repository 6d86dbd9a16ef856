//! Durable jobs: an outbox table in the same database as the business rows.
//!
//! * **Enqueue** with [`enqueue`] on the connection of the transaction that makes the state
//!   change (`INSERT … ON CONFLICT (dedupe_key) DO NOTHING`): the job exists if and only if the
//!   change committed, and the same cause enqueues once.
//! * **Claim** with one `UPDATE … WHERE id IN (SELECT … ORDER BY run_at LIMIT n) RETURNING …`
//!   (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` makes it atomic). A
//!   `running` job whose lease (`locked_until`) has passed is claimable again: that is how a
//!   crash or restart mid-job is survived. Each claim stamps `locked_by` with a fresh token, so
//!   a worker that lost its lease cannot finish a job someone else now holds (`worker.rs`).
//! * **Finish**: done; a transient failure goes back to `queued` at the retry instant the
//!   caller computed (`domain::retry::backoff`); a permanent failure, or one on the last
//!   attempt, leaves it `dead` for an admin to see and retry by hand (`console.rs`).
//!
//! The store knows nothing of what a job does: `kind` and `payload` are opaque here; the typed
//! job kinds and their handlers live in `app`.

mod console;
mod worker;

pub use console::JobCounts;

use crate::DbTime;
use djcalls_domain::DjProfileId;
use jiff::SignedDuration;
use sqlx::{PgConnection, SqliteConnection};
use uuid::Uuid;

/// Where a job is in its life. Stored as its `as_str` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

impl TryFrom<String> for JobState {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        JobState::parse(&s).ok_or_else(|| format!("unknown job state {s:?}"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    /// Which handler runs it (`app::jobs`); opaque to the store.
    pub kind: String,
    /// JSON text.
    pub payload: String,
    #[sqlx(try_from = "String")]
    pub state: JobState,
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

    /// [`JobConn::enqueue_job`] in a transaction of any actor, a DJ's too: `jobs` (and the
    /// `webhook_endpoints` an event job checks) are platform tables, so on PostgreSQL the
    /// insert runs under the platform's RLS role, and the actor's role is back right after.
    /// For jobs the store itself builds from rows the actor just wrote (a logged call's events).
    fn enqueue_platform_job(
        &mut self,
        job: &NewJob,
        now: DbTime,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;
}

const ENQUEUE_SQL: &str = "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, \
     dedupe_key, dj_profile_id, created_at, updated_at) \
     VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $8, $8) \
     ON CONFLICT (dedupe_key) DO NOTHING";

/// An outbound webhook event is queued only while some endpoint is enabled: without
/// endpoints, calls, texts and payments queue nothing for webhooks (`crate::webhooks`).
const ENQUEUE_EVENT_SQL: &str = "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, \
     run_at, dedupe_key, dj_profile_id, created_at, updated_at) \
     SELECT $1, $2, $3, 'queued', 0, $4, $5, $6, $7, $8, $8 \
     WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL) \
     ON CONFLICT (dedupe_key) DO NOTHING";

macro_rules! impl_job_conn {
    ($conn:ty, $as_platform:path) => {
        impl JobConn for $conn {
            async fn enqueue_platform_job(
                &mut self,
                job: &NewJob,
                now: DbTime,
            ) -> sqlx::Result<bool> {
                $as_platform(self, job, now).await
            }

            async fn enqueue_job(&mut self, job: &NewJob, now: DbTime) -> sqlx::Result<bool> {
                let sql = if job.kind == crate::webhooks::EVENT_JOB_KIND {
                    ENQUEUE_EVENT_SQL
                } else {
                    ENQUEUE_SQL
                };
                let done = sqlx::query(sql)
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

impl_job_conn!(PgConnection, enqueue_as_platform_pg);
impl_job_conn!(SqliteConnection, enqueue_as_platform_sqlite);

/// PostgreSQL: the platform's `app.role` for the one insert (transaction-local, as
/// `tx::enter_pg` set the actor's), then the actor's again.
async fn enqueue_as_platform_pg(
    conn: &mut PgConnection,
    job: &NewJob,
    now: DbTime,
) -> sqlx::Result<bool> {
    let actor_role: String =
        sqlx::query_scalar("SELECT coalesce(current_setting('app.role', true), '')")
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query("SELECT set_config('app.role', 'system', true)")
        .execute(&mut *conn)
        .await?;
    let new = conn.enqueue_job(job, now).await?;
    sqlx::query("SELECT set_config('app.role', $1, true)")
        .bind(actor_role)
        .execute(&mut *conn)
        .await?;
    Ok(new)
}

/// SQLite has no row-level security: the insert as it is.
async fn enqueue_as_platform_sqlite(
    conn: &mut SqliteConnection,
    job: &NewJob,
    now: DbTime,
) -> sqlx::Result<bool> {
    conn.enqueue_job(job, now).await
}

/// Enqueues `job` on `conn` (inside the caller's transaction); true when it was new.
pub async fn enqueue<C: JobConn + ?Sized>(
    conn: &mut C,
    job: &NewJob,
    now: DbTime,
) -> sqlx::Result<bool> {
    conn.enqueue_job(job, now).await
}
