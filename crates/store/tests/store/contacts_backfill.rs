//! Migration 0020 makes the contacts of the calls a database already has: one per DJ and caller
//! number, created when its first call came in, named by the first caller name heard; calls
//! without a number make none.

use crate::common::*;
use djcalls_domain::{Actor, CallId, DjProfileId};
use djcalls_store::Store;
use djcalls_store::contacts::{ContactFilter, ContactRecord};
use djcalls_testkit::{PgSetup, TestDb};
use std::path::{Path, PathBuf};

/// `(dj, caller, caller name, timestamp)` of the calls written before the migration.
fn old_calls() -> Vec<(
    DjProfileId,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
)> {
    vec![
        (
            profile(1),
            Some("+13125550123"),
            None,
            "2026-06-02T10:00:00Z",
        ),
        (
            profile(1),
            Some("+13125550123"),
            Some("PAT"),
            "2026-06-01T10:00:00Z",
        ),
        (
            profile(1),
            Some("+13125550123"),
            Some("LATER NAME"),
            "2026-06-03T10:00:00Z",
        ),
        (profile(1), None, None, "2026-06-04T10:00:00Z"),
        (
            profile(2),
            Some("+13125550123"),
            None,
            "2026-06-05T10:00:00Z",
        ),
    ]
}

const INSERT: &str = "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", caller_number, \
    caller_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";

async fn check(store: &Store) {
    let all = store
        .list_contacts(&Actor::Service, &ContactFilter::default(), None, 100)
        .await
        .unwrap();
    let mut seen: Vec<(DjProfileId, &str, Option<&str>)> = all
        .iter()
        .map(|c| (c.dj_profile_id, c.phone.as_str(), c.name.as_deref()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (profile(1), "+13125550123", Some("PAT")),
            (profile(2), "+13125550123", None)
        ]
    );
    let first: &ContactRecord = all.iter().find(|c| c.dj_profile_id == profile(1)).unwrap();
    assert_eq!(first.created_at, at("2026-06-01T10:00:00Z"));
    assert_eq!(first.calls_count, 3);
    assert_eq!(first.last_call_at, Some(at("2026-06-03T10:00:00Z")));
    assert_eq!(
        first.id.0.get_version_num(),
        4,
        "ids are random UUIDs: {}",
        first.id
    );
    // Contacts made after the migration join the backfilled ones.
    let (_, again) = store
        .insert_call_and_contact(
            &Actor::Service,
            &call(profile(1), "2026-06-06T10:00:00Z"),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        again.map(|c| (c.contact_id, c.created)),
        Some((first.id, false))
    );
}

#[tokio::test]
async fn sqlite_calls_from_before_contacts_become_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let old = migrations_before(dir.path(), "sqlite", 20);
    let store = Store::connect(&url).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    create_profile(&store, profile(1), "dj-one", "DJ One").await;
    create_profile(&store, profile(2), "dj-two", "DJ Two").await;
    for (dj, caller, name, when) in old_calls() {
        sqlx::query(INSERT)
            .bind(CallId::new_v7().0)
            .bind(dj.0)
            .bind(at(when))
            .bind(caller)
            .bind(name)
            .bind(now())
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    store.migrate().await.unwrap();
    check(&store).await;
    store.close().await;
}

#[tokio::test]
async fn postgres_calls_from_before_contacts_become_contacts() {
    let Some(db) = TestDb::postgres_unmigrated(PgSetup::Owner).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let old = migrations_before(dir.path(), "postgres", 20);
    let pool = db.store.pg_pool().unwrap().clone();
    {
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("SELECT set_config('app.role', 'system', false)")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .unwrap()
            .run(&mut *conn)
            .await
            .unwrap();
        let _ = conn.detach();
    }
    create_profile(&db.store, profile(1), "dj-one", "DJ One").await;
    create_profile(&db.store, profile(2), "dj-two", "DJ Two").await;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.role', 'system', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    for (dj, caller, name, when) in old_calls() {
        sqlx::query(INSERT)
            .bind(CallId::new_v7().0)
            .bind(dj.0)
            .bind(at(when))
            .bind(caller)
            .bind(name)
            .bind(now())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db.store.migrate().await.unwrap();
    check(&db.store).await;
}

/// A directory holding copies of the `dialect`'s migrations numbered below `version`.
fn migrations_before(dir: &Path, dialect: &str, version: u32) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    let target = dir.join(dialect);
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let number: u32 = name[..4].parse().unwrap();
        if number < version {
            std::fs::copy(&path, target.join(&name)).unwrap();
        }
    }
    target
}
