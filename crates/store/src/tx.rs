//! Transactions with the caller's identity. On PostgreSQL every transaction first records who
//! is asking (and switches to `DJCALLS_DB_APP_ROLE` when one is set), so the row-level
//! security policies apply; analytics and dashboard lists may run on the read replica. On
//! SQLite a write transaction starts with `BEGIN IMMEDIATE` (a deferred one would fail with
//! SQLITE_BUSY on its first write under concurrency instead of waiting for the lock), after
//! waiting its turn behind this process's other writers (`Store::sqlite_writer`).

use djcalls_domain::Actor;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// Sets the RLS context for the rest of the current PostgreSQL transaction, in one round
/// trip. `set_config(…, true)` is transaction-local, so nothing leaks to the next borrower of
/// the pooled connection. Without an app role the connecting role stays: the tables force
/// row-level security, so it is bound by the policies as well.
///
/// `custom_plans` is for the dashboard reads (`replica` transactions: lists and analytics),
/// whose optional filters (`$1 IS NULL OR dj_profile_id = $1`) only use the
/// (dj_profile_id, timestamp) index in a plan made for the actual values. Everything else —
/// the webhooks above all — keeps PostgreSQL's default, which re-uses a generic plan once it
/// is as good, instead of planning every statement on every run. Those reads also turn JIT
/// compilation off: a summary read's plan can cost enough to trigger it (a union branch it
/// never runs still counts), and compiling took 45–70 ms of a read that runs in 2 ms.
pub async fn enter_pg(
    conn: &mut PgConnection,
    app_role: Option<&str>,
    actor: &Actor,
    custom_plans: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT set_config('app.role', $1, true), set_config('app.dj_profile_ids', $2, true), \
         CASE WHEN $3::text IS NOT NULL THEN set_config('role', $3, true) END, \
         CASE WHEN $4 THEN set_config('plan_cache_mode', 'force_custom_plan', true) END, \
         CASE WHEN $4 THEN set_config('jit', 'off', true) END",
    )
    .bind(actor.rls_role())
    .bind(actor.rls_profiles())
    .bind(app_role)
    .bind(custom_plans)
    .execute(conn)
    .await?;
    Ok(())
}

/// A PostgreSQL transaction on the primary, or — for `replica` reads when `DATABASE_READ_URL`
/// is set — a read-only one on the replica (read-only, so a write routed there by mistake
/// fails loudly instead of being lost to a standby).
pub async fn begin_pg(
    primary: &PgPool,
    replica: Option<&PgPool>,
    begin: &'static str,
) -> sqlx::Result<Transaction<'static, Postgres>> {
    match replica {
        Some(replica) => replica.begin_with("BEGIN READ ONLY").await,
        None => primary.begin_with(begin).await,
    }
}

/// Runs `$body` with `$conn` bound to a `&mut` connection inside a transaction that commits
/// when the body succeeds and rolls back when it returns early with `?`. `replica` is `read`
/// routed to the read replica when there is one: for reads that may lag a little.
macro_rules! in_tx {
    ($store:expr, $actor:expr, write, |$conn:ident| $body:expr) => {
        in_tx!(@run $store, $actor, "BEGIN", "BEGIN IMMEDIATE", false, true, |$conn| $body)
    };
    // A write whose statements all see one snapshot (PostgreSQL REPEATABLE READ; SQLite's
    // write transactions are serializable anyway): for moving rows from one table to another.
    ($store:expr, $actor:expr, snapshot_write, |$conn:ident| $body:expr) => {
        in_tx!(@run $store, $actor, "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN IMMEDIATE", false, true, |$conn| $body)
    };
    ($store:expr, $actor:expr, read, |$conn:ident| $body:expr) => {
        in_tx!(@run $store, $actor, "BEGIN", "BEGIN", false, false, |$conn| $body)
    };
    ($store:expr, $actor:expr, replica, |$conn:ident| $body:expr) => {
        in_tx!(@run $store, $actor, "BEGIN", "BEGIN", true, false, |$conn| $body)
    };
    (@run $store:expr, $actor:expr, $pg_begin:literal, $sqlite_begin:literal, $replica:literal, $writes:literal, |$conn:ident| $body:expr) => {{
        let store: &$crate::Store = &$store;
        match &store.pool {
            $crate::Pool::Pg(pool) => {
                let replica = if $replica { store.replica.as_ref() } else { None };
                let mut tx = $crate::tx::begin_pg(pool, replica, $pg_begin).await?;
                $crate::tx::enter_pg(&mut tx, store.app_role.as_deref(), $actor, $replica).await?;
                let out = {
                    let $conn: &mut sqlx::PgConnection = &mut tx;
                    $body
                };
                tx.commit().await?;
                out
            }
            $crate::Pool::Lite(pool) => {
                // Writers queue in arrival order (`Store::sqlite_writer`); readers never wait.
                let _turn = if $writes {
                    // Bounded like a pool acquire: a database locked from outside (a backup,
                    // another program) makes the queue answer "unavailable", not grow.
                    Some(
                        tokio::time::timeout(
                            $crate::ACQUIRE_TIMEOUT,
                            store.sqlite_writer.lock(),
                        )
                        .await
                        .map_err(|_| $crate::StoreError::Database(sqlx::Error::PoolTimedOut))?,
                    )
                } else {
                    None
                };
                let mut tx = pool.begin_with($sqlite_begin).await?;
                let out = {
                    let $conn: &mut sqlx::SqliteConnection = &mut tx;
                    $body
                };
                tx.commit().await?;
                out
            }
        }
    }};
}
