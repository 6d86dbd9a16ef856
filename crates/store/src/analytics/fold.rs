//! Folding: moving the deltas the triggers wrote into the summary tables. One folder at a
//! time (a PostgreSQL advisory lock; SQLite's single writer), in one snapshot, so every delta
//! is added exactly once: a delta not yet committed when the fold began stays for the next.

use super::measures::{
    BLOCK_MEASURES, DAY_TOTAL_MEASURES, MEASURES, QUARTER_MEASURES, SOURCE_MEASURES, list, sums,
};
use crate::{Pool, Store, StoreResult};
use djcalls_domain::Actor;
use djcalls_domain::rollup_plan::BLOCK_DAYS;
use sqlx::AssertSqlSafe;

/// Deltas moved per transaction, so one fold never holds a long transaction.
const FOLD_BATCH: i64 = 20_000;

/// A fold of at least this many deltas vacuums the deltas table (PostgreSQL).
const VACUUM_AFTER: u64 = 50_000;

/// The advisory lock the folder and `analytics rebuild` take on PostgreSQL.
pub(super) const FOLD_LOCK: i64 = 0x646a_6361_6c6c_7301;

/// One summary table: its key and figure columns, each with the expression over deltas (or
/// over `analytics_call_measures`, which has the same columns) that gives it.
pub(super) struct Summary {
    pub table: &'static str,
    pub keys: Vec<(String, String)>,
    pub columns: Vec<(String, String)>,
}

impl Summary {
    fn new(table: &'static str, keys: &[(&str, &str)], columns: Vec<(String, String)>) -> Self {
        let keys = keys
            .iter()
            .map(|(k, e)| (k.to_string(), e.to_string()))
            .collect();
        Summary {
            table,
            keys,
            columns,
        }
    }

    pub fn key_names(&self) -> Vec<&str> {
        self.keys.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// `key AS name, …, figure AS name, …` grouped by the keys, from `source`.
    pub fn grouped_from(&self, source: &str, filter: &str) -> String {
        let key_exprs = self
            .keys
            .iter()
            .map(|(_, e)| e.as_str())
            .collect::<Vec<_>>();
        let selected = self
            .keys
            .iter()
            .chain(&self.columns)
            .map(|(n, e)| format!("{e} AS {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT {selected} FROM {source} WHERE {filter} GROUP BY {}",
            key_exprs.join(", ")
        )
    }

    /// `INSERT … SELECT … ON CONFLICT DO UPDATE` of the deltas up to `$1`.
    fn upsert(&self) -> String {
        let table = self.table;
        let keys = self.key_names().join(", ");
        let names = self
            .columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let adds = self
            .columns
            .iter()
            .map(|(n, _)| format!("{n} = {table}.{n} + excluded.{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "INSERT INTO {table} ({keys}, {names}) {} ON CONFLICT ({keys}) DO UPDATE SET {adds}",
            self.grouped_from("analytics_deltas", "seq <= $1")
        )
    }
}

fn summed(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|m| (m.to_string(), format!("CAST(sum({m}) AS BIGINT)")))
        .collect()
}

fn by_quarter() -> Vec<(String, String)> {
    let mut columns = Vec::new();
    for (name, delta) in QUARTER_MEASURES {
        for k in 0..4 {
            columns.push((
                format!("{name}_q{k}"),
                format!("CAST(sum(CASE WHEN quarter = {k} THEN {delta} ELSE 0 END) AS BIGINT)"),
            ));
        }
    }
    columns
}

const SOURCE: (&str, &str) = ("source", "source");
const MEDIUM: (&str, &str) = ("medium", "medium");
const CAMPAIGN: (&str, &str) = ("campaign", "campaign");

/// The revenue-by-source figures (SPEC §15); `paid` counts calls paid for.
fn by_source() -> Vec<(String, String)> {
    SOURCE_MEASURES
        .iter()
        .map(|(name, delta)| (name.to_string(), format!("CAST(sum({delta}) AS BIGINT)")))
        .collect()
}

/// Every summary table.
pub(super) fn summaries() -> Vec<Summary> {
    let block = format!("hour / {}", 24 * BLOCK_DAYS);
    let dj = ("dj_profile_id", "dj_profile_id");
    vec![
        Summary::new(
            "analytics_dj_days",
            &[dj, ("day", "hour / 24"), ("event_type", "event_type")],
            summed(&MEASURES),
        ),
        Summary::new(
            "analytics_platform_days",
            &[("day", "hour / 24"), ("event_type", "event_type")],
            summed(&MEASURES),
        ),
        Summary::new(
            "analytics_dj_blocks",
            &[dj, ("block", &block)],
            summed(&BLOCK_MEASURES),
        ),
        Summary::new(
            "analytics_dj_type_blocks",
            &[dj, ("block", &block), ("event_type", "event_type")],
            summed(&MEASURES),
        ),
        Summary::new(
            "analytics_dj_day_totals",
            &[dj, ("day", "hour / 24")],
            summed(&DAY_TOTAL_MEASURES),
        ),
        Summary::new("analytics_dj_hours", &[dj, ("hour", "hour")], by_quarter()),
        Summary::new(
            "analytics_platform_hours",
            &[("hour", "hour")],
            by_quarter(),
        ),
        Summary::new(
            "analytics_dj_source_days",
            &[dj, ("day", "hour / 24"), SOURCE, MEDIUM, CAMPAIGN],
            by_source(),
        ),
        Summary::new(
            "analytics_platform_source_days",
            &[("day", "hour / 24"), SOURCE, MEDIUM, CAMPAIGN],
            by_source(),
        ),
    ]
}

/// The statements of one fold, in order; each binds `$1`, the last delta folded.
pub(super) fn fold_statements() -> Vec<String> {
    let mut statements: Vec<String> = summaries().iter().map(Summary::upsert).collect();
    statements.push("DELETE FROM analytics_deltas WHERE seq <= $1".to_string());
    statements
}

/// The deltas of every call as it stands, for `rebuild`.
pub(super) fn recount_into_deltas() -> String {
    let m = list(&MEASURES, "");
    format!(
        "INSERT INTO analytics_deltas \
           (dj_profile_id, hour, quarter, event_type, source, medium, campaign, {m}) \
         SELECT dj_profile_id, hour, quarter, event_type, source, medium, campaign, {sums} \
         FROM analytics_call_measures \
         GROUP BY dj_profile_id, hour, quarter, event_type, source, medium, campaign",
        sums = sums(&MEASURES, ""),
    )
}

/// The summary tables, emptied by `rebuild`.
pub(super) const SUMMARY_TABLES: [&str; 10] = [
    "analytics_deltas",
    "analytics_dj_days",
    "analytics_dj_type_blocks",
    "analytics_dj_day_totals",
    "analytics_platform_days",
    "analytics_dj_blocks",
    "analytics_dj_hours",
    "analytics_platform_hours",
    "analytics_dj_source_days",
    "analytics_platform_source_days",
];

impl Store {
    /// Folds every pending delta, and every click the funnel marked dirty, into the
    /// summaries; returns how many were folded. Another
    /// process folding at the same time makes this one stop at once: it holds the lock, or it
    /// committed after this one's snapshot began (PostgreSQL then refuses this one's
    /// repeatable-read writes, and nothing of it is kept).
    pub async fn fold_analytics(&self) -> StoreResult<u64> {
        // A read first: an idle service neither opens a write transaction each second nor
        // takes SQLite's single writer from the webhooks.
        let pending: Option<i64> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar("SELECT seq FROM analytics_deltas LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?
        });
        let funnel = self.fold_funnel().await?;
        if pending.is_none() {
            return Ok(funnel);
        }
        let mut folded = funnel;
        loop {
            let n = match self.fold_batch().await {
                Err(crate::StoreError::Database(sqlx::Error::Database(e)))
                    if e.code().as_deref() == Some("40001") =>
                {
                    // Another process took over: a large fold still leaves dead rows behind,
                    // and two folders taking turns would otherwise never vacuum them.
                    self.vacuum_deltas_after(folded).await;
                    return Ok(folded);
                }
                other => other?,
            };
            folded += n;
            if n < FOLD_BATCH as u64 {
                self.vacuum_deltas_after(folded).await;
                return Ok(folded);
            }
        }
    }

    /// After a large fold (a bulk load, a rebuild, a backlog), PostgreSQL's deltas table is
    /// mostly dead rows that every platform-wide read would scan until autovacuum comes by:
    /// vacuum it now. Best effort; autovacuum (tuned for this table in migration 0035) follows.
    async fn vacuum_deltas_after(&self, folded: u64) {
        self.vacuum_queue_after("analytics_deltas", folded).await;
    }

    /// Vacuums the queue `table` after `folded` rows left it, when that was many (see
    /// [`Store::vacuum_deltas_after`]); its statistics then say it is small again, which
    /// keeps the readers' plans simple.
    pub(super) async fn vacuum_queue_after(&self, table: &'static str, folded: u64) {
        if folded < VACUUM_AFTER {
            return;
        }
        if let Pool::Pg(pool) = &self.pool
            && let Err(e) = sqlx::query(AssertSqlSafe(format!("VACUUM (ANALYZE) {table}")))
                .execute(pool)
                .await
        {
            tracing::warn!(error = %e, table, "vacuuming a queue after a large fold failed");
        }
    }

    async fn fold_batch(&self) -> StoreResult<u64> {
        let pg = matches!(self.pool, Pool::Pg(_));
        let statements = fold_statements();
        Ok(in_tx!(self, &Actor::System, snapshot_write, |conn| {
            let mine: bool = if pg {
                sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(FOLD_LOCK)
                    .fetch_one(&mut *conn)
                    .await?
            } else {
                true
            };
            let bounds: (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT min(seq), max(seq) FROM analytics_deltas")
                    .fetch_one(&mut *conn)
                    .await?;
            match (mine, bounds) {
                (true, (Some(first), Some(last))) => {
                    let upto = last.min(first + FOLD_BATCH - 1);
                    let mut moved = 0;
                    for sql in &statements {
                        moved = sqlx::query(AssertSqlSafe(sql.clone()))
                            .bind(upto)
                            .execute(&mut *conn)
                            .await?
                            .rows_affected();
                    }
                    moved
                }
                _ => 0,
            }
        }))
    }

    /// Recomputes every summary from the calls, payments and follow-ups (after a restore
    /// from an old backup, or when `verify` found a difference). On PostgreSQL writers to
    /// those tables wait until it commits.
    pub async fn rebuild_analytics(&self) -> StoreResult<u64> {
        let pg = matches!(self.pool, Pool::Pg(_));
        let statements = fold_statements();
        let recount = recount_into_deltas();
        let rebuilt = in_tx!(self, &Actor::System, write, |conn| {
            if pg {
                sqlx::query("LOCK TABLE dj_calls, payments, followups IN SHARE MODE")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(FOLD_LOCK)
                    .execute(&mut *conn)
                    .await?;
            }
            for table in SUMMARY_TABLES {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query(AssertSqlSafe(recount.clone()))
                .execute(&mut *conn)
                .await?;
            let mut moved = 0;
            for sql in &statements {
                moved = sqlx::query(AssertSqlSafe(sql.clone()))
                    .bind(i64::MAX)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            }
            moved
        });
        self.vacuum_deltas_after(u64::MAX).await;
        let talk = match self
            .funnel_min_talk
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            wanted if wanted >= 0 => wanted,
            _ => self
                .funnel_threshold(&Actor::System)
                .await?
                .unwrap_or(super::funnel_fold::DEFAULT_MIN_TALK),
        };
        self.reset_funnel(talk).await?;
        let funnel = self.fold_funnel().await?;
        Ok(rebuilt + funnel)
    }
}
