//! Rate-limit counters (`rate_limits`), shared by every process on one database: one row per
//! key holding a fixed window's start and its hits. A hit is one atomic upsert; the rule that
//! judges the counts (how many, how long to wait) is `domain::rate_limit`. Keys are opaque
//! here (the app hashes them, so no email address or client address is stored).

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::Actor;

/// One key's current window, after a hit.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RateCount {
    pub hits: i64,
    pub window_started_at: DbTime,
}

/// A hit to count: on `key`, whose window is over when it started at or before `ended_by`.
#[derive(Clone, Copy, Debug)]
pub struct RateHit<'a> {
    pub key: &'a str,
    pub ended_by: DbTime,
}

/// The upsert: a new key, or a key whose window is over, starts a window at `$2` with one
/// hit; a running window counts one more. The `CASE`s read the row as it was (on both
/// backends), and the row is locked for the statement, so concurrent hits each see a
/// distinct count.
const HIT: &str = "INSERT INTO rate_limits (key, window_started_at, hits) VALUES ($1, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET \
       hits = CASE WHEN rate_limits.window_started_at <= $3 THEN 1 \
                   ELSE rate_limits.hits + 1 END, \
       window_started_at = CASE WHEN rate_limits.window_started_at <= $3 THEN $2 \
                   ELSE rate_limits.window_started_at END \
     RETURNING hits, window_started_at";

impl Store {
    /// Counts one hit at `now` on each key, in one transaction, and returns each key's window
    /// with this hit included, in the order given.
    pub async fn hit_rate_limits(
        &self,
        hits: &[RateHit<'_>],
        now: DbTime,
    ) -> StoreResult<Vec<RateCount>> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let mut counts = Vec::with_capacity(hits.len());
            for hit in hits {
                counts.push(
                    sqlx::query_as::<_, RateCount>(HIT)
                        .bind(hit.key)
                        .bind(now)
                        .bind(hit.ended_by)
                        .fetch_one(&mut *conn)
                        .await?,
                );
            }
            counts
        }))
    }

    /// Takes one hit back from `key` (an attempt that turned out not to count, such as a
    /// successful sign-in from a client whose failures are limited).
    pub async fn take_back_rate_hit(&self, key: &str) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0")
                .bind(key)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Forgets `key` (a successful sign-in clears its email's failures).
    pub async fn clear_rate_limit(&self, key: &str) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM rate_limits WHERE key = $1")
                .bind(key)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Removes windows that started before `before` (all of them over); returns how many.
    pub async fn prune_rate_limits(&self, before: DbTime) -> StoreResult<u64> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM rate_limits WHERE window_started_at < $1")
                .bind(before)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }
}
