//! Folding the funnel (migration 0036): each click the triggers marked dirty is recomputed from
//! its calls; its kept journey is taken out of the day summaries and the new one put in. Runs
//! under the same lock and in the same kind of snapshot as the §6 fold (`fold.rs`), so a mark
//! not yet committed when the fold began stays for the next fold.

use super::fold::FOLD_LOCK;
use super::funnel_sql::{STAGES, journeys, keys, stage_list, stage_sums};
use crate::{Pool, Store, StoreResult};
use djcalls_domain::Actor;
use sqlx::AssertSqlSafe;
use std::sync::atomic::Ordering;

/// Dirty marks recomputed per transaction: on PostgreSQL a batch is a second or two of the
/// folder's own work; on SQLite it holds the single writer, so it stays shorter.
const PG_FUNNEL_BATCH: i64 = 50_000;
const SQLITE_FUNNEL_BATCH: i64 = 10_000;

/// `FOLLOWUP_MIN_TALK_SECONDS`' default (SPEC §3), for summaries no service has configured.
pub(super) const DEFAULT_MIN_TALK: i64 = 10;

/// The dirty clicks up to `$1`.
const DIRTY: &str = "SELECT DISTINCT click_id FROM analytics_funnel_dirty WHERE seq <= $1";

/// The day tables and the key each groups the kept journeys by.
fn day_tables() -> [(&'static str, &'static str); 2] {
    [
        ("analytics_funnel_dj_days", "dj_profile_id, "),
        ("analytics_funnel_platform_days", ""),
    ]
}

/// Adds `sign` × the kept journeys of the dirty clicks (up to `$1`) to both day tables.
fn add_to_days(pool: &Pool, sign: &str) -> Vec<String> {
    let day = keys(pool).day;
    day_tables()
        .iter()
        .map(|(table, dj)| {
            let adds = std::iter::once("clicks")
                .chain(STAGES)
                .map(|s| format!("{s} = {table}.{s} + excluded.{s}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO {table} ({dj}day, clicks, {stages}) \
                 SELECT {dj}{day} AS day, {sign}count(*) AS clicks, {sums} \
                 FROM analytics_funnel_clicks WHERE click_id IN ({DIRTY}) \
                 GROUP BY {dj}{day} \
                 ON CONFLICT ({dj}day) DO UPDATE SET {adds}",
                stages = stage_list(""),
                sums = stage_sums(sign),
            )
        })
        .collect()
}

/// The statements of one funnel fold, in order; `$1` the last mark folded, `$2` the threshold.
fn fold_statements(pool: &Pool) -> Vec<String> {
    let mut out = add_to_days(pool, "-");
    out.push(format!(
        "DELETE FROM analytics_funnel_clicks WHERE click_id IN ({DIRTY})"
    ));
    out.push(format!(
        "INSERT INTO analytics_funnel_clicks (click_id, dj_profile_id, clicked_at, {stages}) {now}",
        stages = stage_list(""),
        now = journeys(&keys(pool), &format!("k.id IN ({DIRTY})"), "$2"),
    ));
    out.extend(add_to_days(pool, ""));
    out.push("DELETE FROM analytics_funnel_dirty WHERE seq <= $1".into());
    out
}

impl Store {
    /// Keeps the funnel summaries for `FOLLOWUP_MIN_TALK_SECONDS` = `secs`: a service calls
    /// this at start; its folder rebuilds summaries kept for another threshold.
    pub fn keep_funnel_for(&self, secs: u32) {
        self.funnel_min_talk
            .store(i64::from(secs), Ordering::Relaxed);
    }

    /// The threshold the funnel summaries hold, if they have been set up.
    pub(super) async fn funnel_threshold(&self, actor: &Actor) -> StoreResult<Option<i64>> {
        Ok(in_tx!(self, actor, replica, |conn| {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(min_talk_seconds AS BIGINT) FROM analytics_funnel_settings",
            )
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Folds every dirty click; returns how many marks were folded. Stops at once when
    /// another process is folding (see `fold_analytics`).
    pub(super) async fn fold_funnel(&self) -> StoreResult<u64> {
        let pending: Option<i64> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar("SELECT seq FROM analytics_funnel_dirty LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?
        });
        let wanted = self.funnel_min_talk.load(Ordering::Relaxed);
        let kept = self.funnel_threshold(&Actor::System).await?;
        if kept.is_none() || (wanted >= 0 && kept != Some(wanted)) {
            self.reset_funnel(if wanted >= 0 {
                wanted
            } else {
                DEFAULT_MIN_TALK
            })
            .await?;
        } else if pending.is_none() {
            return Ok(0);
        }
        let mut folded = 0;
        loop {
            let n = match self.fold_funnel_batch().await {
                // Another folder committed after this one's snapshot began (the snapshot is
                // taken by the statement that takes the lock): PostgreSQL refuses this one's
                // writes, as a serialization failure or, for a journey it inserted meanwhile, a
                // duplicate key. Nothing of this batch is kept.
                Err(crate::StoreError::Conflict(key)) if key == "analytics_funnel_clicks_pkey" => {
                    self.vacuum_queue_after("analytics_funnel_dirty", folded)
                        .await;
                    return Ok(folded);
                }
                Err(crate::StoreError::Database(sqlx::Error::Database(e)))
                    if e.code().as_deref() == Some("40001") =>
                {
                    self.vacuum_queue_after("analytics_funnel_dirty", folded)
                        .await;
                    return Ok(folded);
                }
                other => other?,
            };
            folded += n;
            if n < self.funnel_batch() as u64 {
                self.vacuum_queue_after("analytics_funnel_dirty", folded)
                    .await;
                return Ok(folded);
            }
        }
    }

    fn funnel_batch(&self) -> i64 {
        match self.pool {
            Pool::Pg(_) => PG_FUNNEL_BATCH,
            Pool::Lite(_) => SQLITE_FUNNEL_BATCH,
        }
    }

    async fn fold_funnel_batch(&self) -> StoreResult<u64> {
        let pg = matches!(self.pool, Pool::Pg(_));
        let batch = self.funnel_batch();
        let statements = fold_statements(&self.pool);
        Ok(in_tx!(self, &Actor::System, snapshot_write, |conn| {
            if pg {
                // Each batch's statements cost enough for JIT compilation, which costs more
                // than it saves on a few thousand clicks.
                sqlx::query("SET LOCAL jit = off")
                    .execute(&mut *conn)
                    .await?;
            }
            let mine: bool = if pg {
                sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(FOLD_LOCK)
                    .fetch_one(&mut *conn)
                    .await?
            } else {
                true
            };
            let bounds: (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT min(seq), max(seq) FROM analytics_funnel_dirty")
                    .fetch_one(&mut *conn)
                    .await?;
            let talk: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(min_talk_seconds AS BIGINT) FROM analytics_funnel_settings",
            )
            .fetch_optional(&mut *conn)
            .await?;
            match (mine, bounds, talk) {
                (true, (Some(first), Some(last)), Some(talk)) => {
                    let upto = last.min(first + batch - 1);
                    let mut folded = 0;
                    for sql in &statements {
                        folded = sqlx::query(AssertSqlSafe(sql.clone()))
                            .bind(upto)
                            .bind(talk)
                            .execute(&mut *conn)
                            .await?
                            .rows_affected();
                    }
                    folded
                }
                _ => 0,
            }
        }))
    }

    /// Empties the funnel summaries, marks every click dirty and records `talk` as their
    /// threshold: the folds that follow recompute every journey. `analytics rebuild` and a
    /// changed `FOLLOWUP_MIN_TALK_SECONDS` come here.
    pub(super) async fn reset_funnel(&self, talk: i64) -> StoreResult<()> {
        let pg = matches!(self.pool, Pool::Pg(_));
        in_tx!(self, &Actor::System, write, |conn| {
            if pg {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(FOLD_LOCK)
                    .execute(&mut *conn)
                    .await?;
            }
            for table in [
                "analytics_funnel_dirty",
                "analytics_funnel_clicks",
                "analytics_funnel_dj_days",
                "analytics_funnel_platform_days",
                "analytics_funnel_settings",
            ] {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id) \
                 SELECT dj_profile_id, id FROM widget_clicks",
            )
            .execute(&mut *conn)
            .await?;
            let singleton = if pg { "true" } else { "1" };
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO analytics_funnel_settings (singleton, min_talk_seconds) \
                 VALUES ({singleton}, $1)"
            )))
            .bind(talk)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }
}
