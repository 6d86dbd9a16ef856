//! The store's integration suite: every story runs once on SQLite and once on PostgreSQL
//! (PostgreSQL is skipped with a notice when no server answers, unless
//! `DJCALLS_REQUIRE_POSTGRES=1`). Row-level security has PostgreSQL-only stories of its own.
//!
//! All data is fixed: timestamps are parsed literals, ids are derived from constants or a
//! seeded generator, and nothing depends on the wall clock or on timing.

// `allow-unwrap-in-tests` covers `#[test]` functions only; the stories are plain async fns.
#![allow(clippy::unwrap_used)]

/// Runs `$body` with `$conn` bound to a raw connection of either backend, inside a transaction
/// that is committed (`commit`) or rolled back (`rollback`). On PostgreSQL the transaction
/// identifies itself as `system`, so the statement passes row-level security even when the
/// test user is a plain (non-superuser) owner of the tables.
macro_rules! raw_tx {
    ($raw:expr, $end:ident, |$conn:ident| $body:expr) => {
        match $raw {
            $crate::common::Raw::Pg(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("SELECT set_config('app.role', 'system', true)")
                    .execute(&mut *tx)
                    .await
                    .expect("identify as system");
                let out = {
                    let $conn: &mut sqlx::PgConnection = &mut tx;
                    $body
                };
                tx.$end().await.expect("end transaction");
                out
            }
            $crate::common::Raw::Lite(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                let out = {
                    let $conn: &mut sqlx::SqliteConnection = &mut tx;
                    $body
                };
                tx.$end().await.expect("end transaction");
                out
            }
        }
    };
}

mod analytics;
mod common;
mod constraints;
mod contacts;
mod contacts_backfill;
mod experiments;
mod fallback_calls;
mod ledger;
mod ledger_jobs;
mod pagination;
mod plans;
mod prune_plan;
mod ranges;
mod refund_first;
mod replica;
mod rls;
mod roles;
mod rollups;
mod schema;
mod volume;
mod webhooks;
