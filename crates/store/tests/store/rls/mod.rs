//! Story 4 (PostgreSQL only): row-level security enforces "a DJ sees only their own rows" a
//! second time, whatever SQL runs: as the ordinary role that owns the database (the tables
//! force RLS on their owner) and as a separate `DJCALLS_DB_APP_ROLE`.

mod raw_sql;
mod store_api;

use crate::common::*;
use djcalls_domain::CutRate;
use djcalls_domain::analytics::CallFigures;
use djcalls_domain::{Actor, CallId, DjProfileId, Role};
use djcalls_store::calls::{CallFilter, CallRecord};
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{Store, StoreError};
use djcalls_testkit::{PgSetup, TestDb};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

/// Two DJs: A with three calls and a payment, B with two calls and a payment.
struct World {
    a: DjProfileId,
    b: DjProfileId,
    a_calls: Vec<CallRecord>,
    b_calls: Vec<CallRecord>,
}

/// The world in the suite's default setup (`DJCALLS_TEST_PG_APP_ROLE`).
async fn world() -> Option<(TestDb, World)> {
    Some(seed(TestDb::postgres().await?).await)
}

/// The world in a chosen setup.
async fn world_in(setup: PgSetup) -> Option<(TestDb, World)> {
    Some(seed(TestDb::postgres_in(setup).await?).await)
}

async fn seed(db: TestDb) -> (TestDb, World) {
    let store = &db.store;
    let (a, b) = (profile(1), profile(2));
    create_profile(store, a, "alpha", "Alpha").await;
    create_profile(store, b, "bravo", "Bravo").await;
    let mut a_calls = Vec::new();
    for when in [
        "2026-03-01T10:00:00Z",
        "2026-03-02T10:00:00Z",
        "2026-03-03T10:00:00Z",
    ] {
        a_calls.push(insert(store, answered(a, when, 60)).await);
    }
    let mut b_calls = Vec::new();
    for when in ["2026-03-01T11:00:00Z", "2026-03-02T11:00:00Z"] {
        b_calls.push(insert(store, answered(b, when, 60)).await);
    }
    assert!(pay(store, &a_calls[0], "pi_a", 10_000).await);
    assert!(pay(store, &b_calls[0], "pi_b", 20_000).await);
    store
        .insert_user("dj@example.com", "hash", Role::Dj, &[a], now())
        .await
        .unwrap();
    (
        db,
        World {
            a,
            b,
            a_calls,
            b_calls,
        },
    )
}

fn pool(db: &TestDb) -> &PgPool {
    db.store.pg_pool().expect("a PostgreSQL store")
}

/// A transaction as the role the store runs as (the owner login, or `DJCALLS_DB_APP_ROLE`
/// when the test database has one) with `app.role` / `app.dj_profile_ids` set as the store
/// sets them (`None` = no identity at all).
async fn as_identity<'p>(
    db: &'p TestDb,
    role: Option<&str>,
    profiles: &[DjProfileId],
) -> Transaction<'p, Postgres> {
    let mut tx = pool(db).begin().await.unwrap();
    if let Some(app_role) = db.store.app_role() {
        sqlx::query("SELECT set_config('role', $1, true)")
            .bind(app_role)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    if let Some(role) = role {
        let ids = profiles
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "SELECT set_config('app.role', $1, true), set_config('app.dj_profile_ids', $2, true)",
        )
        .bind(role)
        .bind(ids)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    // Whoever it is, it must not be a role that skips the policies.
    let (user, bypasses): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles \
         WHERE rolname = current_user",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert!(!bypasses, "{user} bypasses row-level security");
    match db.store.app_role() {
        Some(app_role) => assert_eq!(user, app_role),
        None => assert_eq!(Some(user.as_str()), db.owner_role(), "the owner itself"),
    }
    tx
}

async fn call_owners(tx: &mut Transaction<'_, Postgres>) -> Vec<Uuid> {
    sqlx::query_scalar("SELECT dj_profile_id FROM dj_calls ORDER BY \"timestamp\"")
        .fetch_all(&mut **tx)
        .await
        .unwrap()
}

async fn count(tx: &mut Transaction<'_, Postgres>, table: &'static str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&mut **tx)
        .await
        .unwrap()
}

/// The SQLSTATE of a failed statement.
fn sqlstate(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(e)) => e.code().unwrap_or_default().to_string(),
        other => panic!("expected a database error, got {other:?}"),
    }
}

const INSERT_CALL: &str = "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", created_at, updated_at) \
     VALUES ($1, $2, now(), now(), now())";
const INSERT_PAYMENT: &str = "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, \
     provider_entry_id, provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, created_at) \
     VALUES ($1, $2, $3, 'stripe', 'payment', $4, $4, 100, 15, 85, now())";
const INSERT_PROFILE: &str = "INSERT INTO dj_profiles (id, dj_name, dj_slug, created_at, updated_at) \
     VALUES ($1, 'New', $2, now(), now())";

/// 42501: "new row violates row-level security policy".
const RLS_VIOLATION: &str = "42501";

#[tokio::test]
async fn the_role_queries_run_as_is_subject_to_row_level_security_on_every_tenant_table() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    assert_eq!(db.store.rls_enforced().await.unwrap(), Some(true));
    let unforced: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relkind = 'r' AND relname NOT LIKE '\\_sqlx%' \
         AND NOT (relrowsecurity AND relforcerowsecurity) ORDER BY 1",
    )
    .fetch_all(pool(&db))
    .await
    .unwrap();
    assert!(
        unforced.is_empty(),
        "tables without forced RLS: {unforced:?}"
    );
}
