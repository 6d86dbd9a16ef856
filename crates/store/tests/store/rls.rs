//! Story 4 (PostgreSQL only): row-level security enforces "a DJ sees only their own rows" a
//! second time, under the application role, whatever SQL runs.

use crate::common::*;
use djcalls_domain::CutRate;
use djcalls_domain::analytics::CallFigures;
use djcalls_domain::{Actor, CallId, DjProfileId, Role};
use djcalls_store::calls::{CallFilter, CallRecord};
use djcalls_store::payments::EntryKind;
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{PG_APP_ROLE, Store, StoreError};
use djcalls_testkit::TestDb;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

/// Two DJs: A with three calls and a payment, B with two calls and a payment.
struct World {
    a: DjProfileId,
    b: DjProfileId,
    a_calls: Vec<CallRecord>,
    b_calls: Vec<CallRecord>,
}

async fn world() -> Option<(TestDb, World)> {
    let db = TestDb::postgres().await?;
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
    Some((
        db,
        World {
            a,
            b,
            a_calls,
            b_calls,
        },
    ))
}

fn pool(db: &TestDb) -> &PgPool {
    db.store.pg_pool().expect("a PostgreSQL store")
}

/// A transaction as the application role with `app.role` / `app.dj_profile_ids` set as the
/// store sets them (`None` = no identity at all).
async fn as_identity<'p>(
    pool: &'p PgPool,
    role: Option<&str>,
    profiles: &[DjProfileId],
) -> Transaction<'p, Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('role', $1, true)")
        .bind(PG_APP_ROLE)
        .execute(&mut *tx)
        .await
        .unwrap();
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
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(user, PG_APP_ROLE);
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
async fn the_app_role_is_subject_to_row_level_security_on_every_tenant_table() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (bypass, superuser): (bool, bool) =
        sqlx::query_as("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = $1")
            .bind(PG_APP_ROLE)
            .fetch_one(pool(&db))
            .await
            .unwrap();
    assert!(!bypass && !superuser);
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

#[tokio::test]
async fn raw_sql_as_a_dj_sees_only_that_djs_rows() {
    let Some((db, w)) = world().await else {
        return;
    };
    let pool = pool(&db);

    let mut tx = as_identity(pool, Some("dj"), &[w.a]).await;
    assert_eq!(call_owners(&mut tx).await, vec![w.a.0; 3]);
    assert_eq!(count(&mut tx, "payments").await, 1);
    let profiles: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM dj_profiles")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(profiles, vec![w.a.0]);
    // Identity tables are not a DJ's business.
    assert_eq!(count(&mut tx, "users").await, 0);
    assert_eq!(count(&mut tx, "user_profiles").await, 0);
    assert_eq!(count(&mut tx, "api_tokens").await, 0);
    // Changing or deleting B's rows touches nothing.
    let updated = sqlx::query("UPDATE dj_calls SET notes = 'mine now' WHERE dj_profile_id = $1")
        .bind(w.b.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM payments WHERE dj_profile_id = $1")
        .bind(w.b.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    let renamed = sqlx::query("UPDATE dj_profiles SET dj_name = 'Mine' WHERE id = $1")
        .bind(w.b.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 0);
    tx.rollback().await.unwrap();

    // A DJ owning both profiles sees both.
    let mut tx = as_identity(pool, Some("dj"), &[w.a, w.b]).await;
    assert_eq!(call_owners(&mut tx).await.len(), 5);
    assert_eq!(count(&mut tx, "payments").await, 2);
    tx.rollback().await.unwrap();

    // Admins (and the service, and the system) see everything.
    for role in ["admin", "service", "system"] {
        let mut tx = as_identity(pool, Some(role), &[]).await;
        assert_eq!(call_owners(&mut tx).await.len(), 5, "{role}");
        assert_eq!(count(&mut tx, "payments").await, 2, "{role}");
        assert_eq!(count(&mut tx, "dj_profiles").await, 2, "{role}");
        assert_eq!(count(&mut tx, "users").await, 1, "{role}");
        tx.rollback().await.unwrap();
    }

    // The app role with no identity at all sees nothing; nor does an unknown role, nor a DJ
    // with no profiles.
    for (role, profiles) in [
        (None, vec![]),
        (Some("intruder"), vec![]),
        (Some("dj"), vec![]),
    ] {
        let mut tx = as_identity(pool, role, &profiles).await;
        for table in ["dj_calls", "payments", "dj_profiles", "users", "api_tokens"] {
            assert_eq!(count(&mut tx, table).await, 0, "{role:?} {table}");
        }
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn raw_sql_as_a_dj_cannot_write_rows_for_another_dj() {
    let Some((db, w)) = world().await else {
        return;
    };
    let pool = pool(&db);
    let only_a = [w.a];
    let as_a = || as_identity(pool, Some("dj"), &only_a);

    // dj_calls: own profile yes, another's no, and no moving an own call to another DJ.
    let mut tx = as_a().await;
    sqlx::query(INSERT_CALL)
        .bind(Uuid::now_v7())
        .bind(w.a.0)
        .execute(&mut *tx)
        .await
        .expect("a DJ may log their own call");
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query(INSERT_CALL)
        .bind(Uuid::now_v7())
        .bind(w.b.0)
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query("UPDATE dj_calls SET dj_profile_id = $1 WHERE id = $2")
        .bind(w.b.0)
        .bind(w.a_calls[1].id.0)
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // payments
    let mut tx = as_a().await;
    sqlx::query(INSERT_PAYMENT)
        .bind(Uuid::now_v7())
        .bind(w.a_calls[1].id.0)
        .bind(w.a.0)
        .bind("pi_own")
        .execute(&mut *tx)
        .await
        .expect("policy allows an own payment row");
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query(INSERT_PAYMENT)
        .bind(Uuid::now_v7())
        .bind(w.b_calls[1].id.0)
        .bind(w.b.0)
        .bind("pi_theirs")
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // dj_profiles: only ids in the DJ's own list.
    let fresh = DjProfileId(Uuid::from_u128(0xf00d));
    let mut tx = as_identity(pool, Some("dj"), &[w.a, fresh]).await;
    sqlx::query(INSERT_PROFILE)
        .bind(fresh.0)
        .bind("fresh")
        .execute(&mut *tx)
        .await
        .expect("policy allows a profile in the DJ's own list");
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query(INSERT_PROFILE)
        .bind(fresh.0)
        .bind("fresh")
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // users: identity tables are closed to DJs.
    let mut tx = as_a().await;
    let result = sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, created_at) \
         VALUES ($1, 'x@example.com', 'h', 'admin', now())",
    )
    .bind(Uuid::now_v7())
    .execute(&mut *tx)
    .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // Nothing above stuck.
    let mut tx = as_identity(pool, Some("admin"), &[]).await;
    assert_eq!(count(&mut tx, "dj_calls").await, 5);
    assert_eq!(count(&mut tx, "payments").await, 2);
    assert_eq!(count(&mut tx, "dj_profiles").await, 2);
    tx.rollback().await.unwrap();
}

async fn assert_untouched(store: &Store, w: &World) {
    let a = analytics(store, &Actor::Service, Some(w.a), &range(None, None, None)).await;
    assert_eq!((a.total_calls, a.total_revenue_cents), (3, 10_000));
    let profile = store.profile(&Actor::Service, w.a).await.unwrap().unwrap();
    assert_eq!(profile.dj_name, "Alpha");
}

#[tokio::test]
async fn through_the_store_a_dj_actor_never_reaches_another_djs_data() {
    let Some((db, w)) = world().await else {
        return;
    };
    let store = &db.store;
    let (as_a, as_b) = (dj(&[w.a]), dj(&[w.b]));
    let all = range(None, None, None);
    let a_call = w.a_calls[2].id;

    // Reads.
    assert!(store.call(&as_a, a_call).await.unwrap().is_some());
    assert!(store.call(&as_b, a_call).await.unwrap().is_none());
    assert!(store.profile(&as_b, w.a).await.unwrap().is_none());
    assert_eq!(
        store.call_figures(&as_b, Some(w.a), &all).await.unwrap(),
        CallFigures::default()
    );
    let a_filter = CallFilter {
        profile: Some(w.a),
        ..CallFilter::default()
    };
    assert!(
        store
            .list_calls(&as_b, &a_filter, None, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .list_calls(&as_a, &a_filter, None, 100)
            .await
            .unwrap()
            .len(),
        3
    );
    // Platform-wide queries by a DJ shrink to what the DJ may see.
    let mine = store.call_figures(&as_b, None, &all).await.unwrap();
    assert_eq!((mine.total_calls, mine.revenue_cents), (2, 20_000));
    let tops = store.top_djs(&as_b, &all, 10).await.unwrap();
    assert_eq!(
        tops.iter().map(|t| t.dj_profile_id).collect::<Vec<_>>(),
        vec![w.b]
    );
    let everything = store
        .list_calls(&as_b, &CallFilter::default(), None, 100)
        .await
        .unwrap();
    assert!(everything.iter().all(|c| c.dj_profile_id == w.b));
    assert_eq!(everything.len(), 2);

    // Writes fail inside the database.
    let result = store
        .insert_call(&as_b, &call(w.a, "2026-03-04T10:00:00Z"), now())
        .await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    let result = store
        .record_ledger_entry(
            &as_b,
            &entry(&w.a_calls[1], "pi_sneaky", EntryKind::Payment, 100),
            CutRate::DEFAULT,
        )
        .await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    let result = store
        .upsert_profile(
            &as_b,
            w.a,
            &ProfileFields {
                dj_name: "Hijacked".into(),
                dj_slug: "alpha".into(),
                is_published: false,
                timezone: "UTC".into(),
                real_phone_number: None,
            },
            now(),
        )
        .await;
    assert!(result.is_err(), "{result:?}");
    let patched = store
        .patch_call(
            &as_b,
            a_call,
            &djcalls_store::calls::CallPatch {
                is_booked: Some(true),
                ..Default::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert!(patched.is_none());
    assert!(!fetch_call(store, a_call).await.is_booked);
    // An unknown call id is simply absent.
    assert!(
        store
            .call(&as_a, CallId(Uuid::from_u128(7)))
            .await
            .unwrap()
            .is_none()
    );
    assert_untouched(store, &w).await;
}
