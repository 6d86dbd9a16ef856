//! Transactions with the caller's identity. On PostgreSQL every transaction first switches to
//! the RLS-bound role and records who is asking, so the policies apply; on SQLite a write
//! transaction starts with `BEGIN IMMEDIATE` (a deferred one would fail with SQLITE_BUSY on
//! its first write under concurrency instead of waiting for the lock).

use djcalls_domain::Actor;
use sqlx::PgConnection;

/// Sets the RLS context for the rest of the current PostgreSQL transaction. `set_config(…, true)`
/// is transaction-local, so nothing leaks to the next borrower of the pooled connection.
pub async fn enter_pg(conn: &mut PgConnection, actor: &Actor) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT set_config('role', $1, true), set_config('app.role', $2, true), \
         set_config('app.dj_profile_ids', $3, true)",
    )
    .bind(crate::PG_APP_ROLE)
    .bind(actor.rls_role())
    .bind(actor.rls_profiles())
    .execute(conn)
    .await?;
    Ok(())
}

/// Runs `$body` with `$conn` bound to a `&mut` connection inside a transaction that commits
/// when the body succeeds and rolls back when it returns early with `?`.
macro_rules! in_tx {
    ($store:expr, $actor:expr, write, |$conn:ident| $body:expr) => {
        in_tx!(@run $store, $actor, "BEGIN IMMEDIATE", |$conn| $body)
    };
    ($store:expr, $actor:expr, read, |$conn:ident| $body:expr) => {
        in_tx!(@run $store, $actor, "BEGIN", |$conn| $body)
    };
    (@run $store:expr, $actor:expr, $sqlite_begin:literal, |$conn:ident| $body:expr) => {{
        match &$store.pool {
            $crate::Pool::Pg(pool) => {
                let mut tx = pool.begin().await?;
                $crate::tx::enter_pg(&mut tx, $actor).await?;
                let out = {
                    let $conn: &mut sqlx::PgConnection = &mut tx;
                    $body
                };
                tx.commit().await?;
                out
            }
            $crate::Pool::Lite(pool) => {
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
