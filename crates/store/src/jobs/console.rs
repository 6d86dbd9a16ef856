//! The admin console's side of the queue: look jobs up, list pending and dead ones, count
//! them per state, retry a dead one by hand, prune finished ones.

use super::{COLUMNS, Job, JobState};
use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::Actor;
use uuid::Uuid;

/// Jobs per state, for the admin console's queue health.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

impl Store {
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
