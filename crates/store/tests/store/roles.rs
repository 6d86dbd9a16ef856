//! PostgreSQL roles (SPEC §10): the store migrates and runs as a role that owns its database
//! and nothing else, optionally switching to `DJCALLS_DB_APP_ROLE`; settings that cannot work
//! stop it at connect time; and a database migrated by an earlier release (whose migrations
//! created and granted `djcalls_app`) upgrades in place.

use crate::common::*;
use djcalls_domain::Actor;
use djcalls_store::calls::CallFilter;
use djcalls_store::{Store, StoreError, StoreOptions};
use djcalls_testkit::{PgSetup, TestDb, postgres_admin_url};
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};

/// PostgreSQL migrations 1–7 exactly as an earlier release shipped them.
static RELEASED_MIGRATIONS: Migrator =
    sqlx::migrate!("./tests/fixtures/legacy_postgres_migrations");
/// The PostgreSQL migrations this build applies.
static CURRENT_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

async fn superuser(db: &TestDb) -> PgConnection {
    PgConnection::connect(&db.superuser_url().unwrap())
        .await
        .unwrap()
}

async fn execute(conn: &mut PgConnection, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn setup_message(result: Result<Store, StoreError>) -> String {
    match result {
        Err(StoreError::Setup(message)) => message,
        Err(other) => panic!("expected a setup error, got {other}"),
        Ok(_) => panic!("expected a setup error, got a store"),
    }
}

#[tokio::test]
async fn the_owner_role_has_no_rights_beyond_its_database_and_migrates_twice() {
    for setup in [PgSetup::Owner, PgSetup::OwnerWithAppRole] {
        let Some(db) = TestDb::postgres_in(setup).await else {
            return;
        };
        let (login, superuser, create_role, create_db, bypass, member_of): (
            String,
            bool,
            bool,
            bool,
            bool,
            Vec<String>,
        ) = sqlx::query_as(
            "SELECT session_user::text, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, \
             ARRAY(SELECT b.rolname::text FROM pg_auth_members m \
                   JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid) \
             FROM pg_roles r WHERE rolname = session_user",
        )
        .fetch_one(db.store.pg_pool().unwrap())
        .await
        .unwrap();
        assert_eq!(Some(login.as_str()), db.owner_role());
        assert!(
            !(superuser || create_role || create_db || bypass),
            "{setup:?}"
        );
        let expected: Vec<String> = db
            .store
            .app_role()
            .map(str::to_string)
            .into_iter()
            .collect();
        assert_eq!(member_of, expected, "{setup:?}");
        // Grants for the app role are repeated on every migrate; nothing fails the second time.
        db.store.migrate().await.unwrap();
        create_profile(&db.store, profile(1), "alpha", "Alpha").await;
        insert(&db.store, answered(profile(1), "2026-03-01T10:00:00Z", 60)).await;
        let calls = db
            .store
            .list_calls(&admin(), &CallFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(calls.len(), 1, "{setup:?}");
    }
}

#[tokio::test]
async fn an_app_role_that_is_missing_or_not_granted_stops_the_store_at_connect() {
    let Some(db) = TestDb::postgres_in(PgSetup::Owner).await else {
        return;
    };
    let missing = StoreOptions {
        app_role: Some("djcalls_no_such_role".into()),
        ..StoreOptions::default()
    };
    let message = setup_message(Store::connect_with(&db.url, &missing).await);
    assert!(message.contains("does not exist"), "{message}");

    // A role that exists but was never granted to the login.
    let stranger = format!("djcalls_s_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&postgres_admin_url()).await.unwrap();
    execute(&mut admin, &format!("CREATE ROLE {stranger} NOLOGIN")).await;
    let not_granted = StoreOptions {
        app_role: Some(stranger.clone()),
        ..StoreOptions::default()
    };
    let result = Store::connect_with(&db.url, &not_granted).await;
    execute(&mut admin, &format!("DROP ROLE {stranger}")).await;
    let message = setup_message(result);
    assert!(
        message.contains(&format!("GRANT {stranger} TO")),
        "{message}"
    );
}

#[tokio::test]
async fn sqlite_refuses_postgres_only_settings() {
    let db = TestDb::sqlite().await;
    for options in [
        StoreOptions {
            app_role: Some("djcalls_app".into()),
            ..StoreOptions::default()
        },
        StoreOptions {
            read_url: Some("postgres://127.0.0.1/replica".into()),
            ..StoreOptions::default()
        },
    ] {
        let message = setup_message(Store::connect_with(&db.url, &options).await);
        assert!(message.contains("need PostgreSQL"), "{message}");
    }
}

/// What an earlier release needed from a DBA: role `djcalls_app`, granted to the login.
async fn grant_released_app_role(db: &TestDb) {
    let mut admin = superuser(db).await;
    execute(
        &mut admin,
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'djcalls_app') THEN \
             CREATE ROLE djcalls_app NOLOGIN NOSUPERUSER NOBYPASSRLS; \
           END IF; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; \
         END $$",
    )
    .await;
    let owner = db.owner_role().unwrap();
    execute(&mut admin, &format!("GRANT djcalls_app TO {owner}")).await;
    let _ = admin.close().await;
}

/// A row written the way an earlier release wrote it: as `djcalls_app`, identity `system`.
async fn insert_released_call(conn: &mut PgConnection, dj: uuid::Uuid, call: uuid::Uuid) {
    let mut tx = conn.begin().await.unwrap();
    sqlx::query(
        "SELECT set_config('role', 'djcalls_app', true), set_config('app.role', 'system', true)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO dj_profiles (id, dj_name, dj_slug, created_at, updated_at) \
         VALUES ($1, 'Old', 'old-' || $1::text, now(), now())",
    )
    .bind(dj)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", created_at, updated_at) \
         VALUES ($1, $2, now(), now(), now())",
    )
    .bind(call)
    .bind(dj)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_database_migrated_by_the_released_migrations_upgrades_and_keeps_its_rows() {
    let Some(db) = TestDb::postgres_unmigrated(PgSetup::Owner).await else {
        return;
    };
    grant_released_app_role(&db).await;
    let mut owner = PgConnection::connect(&db.url).await.unwrap();
    RELEASED_MIGRATIONS.run(&mut owner).await.unwrap();
    let (old_dj, other_dj) = (profile(7).0, profile(8).0);
    insert_released_call(&mut owner, old_dj, uuid::Uuid::from_u128(0xca11)).await;
    insert_released_call(&mut owner, other_dj, uuid::Uuid::from_u128(0xca12)).await;

    // The old deployment's own setup: transactions as djcalls_app.
    let old_setup = StoreOptions {
        app_role: Some("djcalls_app".into()),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&db.url, &old_setup).await.unwrap();
    store.migrate().await.unwrap();
    let everything = store
        .list_calls(&Actor::Service, &CallFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(everything.len(), 2);
    let mine = store
        .list_calls(&dj(&[profile(7)]), &CallFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].dj_profile_id, profile(7));
    create_profile(&store, profile(9), "new-dj", "New").await;
    store.close().await;

    // Dropping the app role later (transactions as the owner) works on the same database.
    let owner_store = Store::connect(&db.url).await.unwrap();
    owner_store.migrate().await.unwrap();
    let mine = owner_store
        .list_calls(&dj(&[profile(8)]), &CallFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].dj_profile_id, profile(8));
    owner_store.close().await;

    // The ledger now records the current text of every migration.
    let recorded: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut owner)
            .await
            .unwrap();
    let current: Vec<(i64, Vec<u8>)> = CURRENT_MIGRATIONS
        .iter()
        .map(|m| (m.version, m.checksum.to_vec()))
        .collect();
    assert_eq!(recorded, current);
}

#[tokio::test]
async fn a_migration_changed_in_any_other_way_is_still_refused() {
    let Some(db) = TestDb::postgres_in(PgSetup::Owner).await else {
        return;
    };
    let mut owner = PgConnection::connect(&db.url).await.unwrap();
    execute(
        &mut owner,
        "UPDATE _sqlx_migrations SET checksum = sha384('something else') WHERE version = 1",
    )
    .await;
    let error = db.store.migrate().await.unwrap_err();
    assert!(
        matches!(error, StoreError::Migrate(_)),
        "expected sqlx's checksum refusal, got {error}"
    );
}
