//! The database's own ceiling for "one webhook = one commit": how many single-row INSERT
//! transactions of a call-like row `connections` concurrent connections commit per second on
//! the same database — what `pgbench` with a one-INSERT script measures — printed beside
//! djcalls' own rate so a figure is read against this machine, this run.

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A scratch table shaped like the hot part of a call row (id, unique sid, numbers, instant).
const TABLE: &str = "djcalls_bench_reference";

#[derive(Clone)]
enum Pool {
    Pg(PgPool),
    Lite(SqlitePool),
}

/// Commits per second of single-row INSERT transactions from `connections` connections,
/// each inserting as fast as it can for `run_for`. The scratch table is dropped afterwards.
pub async fn single_row_insert_rate(
    url: &str,
    connections: usize,
    run_for: Duration,
) -> anyhow::Result<f64> {
    let pool = open(url, connections).await?;
    let (create, insert) = match &pool {
        Pool::Pg(_) => (
            format!(
                "CREATE TABLE IF NOT EXISTS {TABLE} (id uuid PRIMARY KEY, call_sid text NOT NULL \
                 UNIQUE, caller text, virtual_number text NOT NULL, created_at timestamptz NOT NULL)"
            ),
            format!("INSERT INTO {TABLE} VALUES ($1, $2, '+14155550123', '+12125550100', now())"),
        ),
        Pool::Lite(_) => (
            format!(
                "CREATE TABLE IF NOT EXISTS {TABLE} (id BLOB PRIMARY KEY, call_sid TEXT NOT NULL \
                 UNIQUE, caller TEXT, virtual_number TEXT NOT NULL, created_at INTEGER NOT NULL)"
            ),
            format!(
                "INSERT INTO {TABLE} VALUES ($1, $2, '+14155550123', '+12125550100', \
                 unixepoch('subsec') * 1000000)"
            ),
        ),
    };
    execute(&pool, &create).await?;
    let committed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + run_for;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..connections.max(1) {
        let (pool, insert, committed) = (pool.clone(), insert.clone(), committed.clone());
        workers.spawn(async move {
            while Instant::now() < deadline {
                let id = uuid::Uuid::new_v4();
                let sid = format!("CA{}", id.simple());
                let sql = sqlx::AssertSqlSafe(insert.clone());
                match &pool {
                    Pool::Pg(p) => {
                        p.execute(sqlx::query(sql).bind(id).bind(sid)).await?;
                    }
                    Pool::Lite(p) => {
                        p.execute(sqlx::query(sql).bind(id).bind(sid)).await?;
                    }
                }
                committed.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), sqlx::Error>(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done.context("insert worker")?.context("reference insert")?;
    }
    let rate = committed.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    execute(&pool, &format!("DROP TABLE IF EXISTS {TABLE}")).await?;
    Ok(rate)
}

async fn execute(pool: &Pool, sql: &str) -> anyhow::Result<()> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match pool {
        Pool::Pg(p) => {
            p.execute(sqlx::query(sql)).await?;
        }
        Pool::Lite(p) => {
            p.execute(sqlx::query(sql)).await?;
        }
    }
    Ok(())
}

/// The same connection settings the store uses (SQLite: WAL, synchronous=NORMAL, 5 s busy
/// timeout), so the reference pays what djcalls pays per commit.
async fn open(url: &str, connections: usize) -> anyhow::Result<Pool> {
    let size = u32::try_from(connections.max(1)).unwrap_or(u32::MAX);
    if url.starts_with("postgres") {
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .connect(url)
            .await?;
        Ok(Pool::Pg(pool))
    } else {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(size)
            .connect_with(options)
            .await?;
        Ok(Pool::Lite(pool))
    }
}
