//! The binary on PostgreSQL the way a managed database hands it out (SPEC §10): the test
//! connects as the superuser only to create a login role and a database it owns (testkit),
//! then `djcalls migrate` and `djcalls serve` run as that role — alone, or switching to
//! `DJCALLS_DB_APP_ROLE` — and `DATABASE_READ_URL` serves analytics and lists.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;
use support::{SERVICE_KEY, djcalls, serve};

use djcalls_testkit::{PgSetup, TestDb};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

const DJ_A: &str = "0d1a0000-0000-4000-8000-00000000000a";
const DJ_B: &str = "0d1a0000-0000-4000-8000-00000000000b";

/// `DATABASE_URL` (the owner login) and, in the separate-role setup, `DJCALLS_DB_APP_ROLE`.
fn database_env(db: &TestDb) -> Vec<(&'static str, String)> {
    let mut env = vec![("DATABASE_URL", db.url.clone())];
    if let Some(role) = &db.options.app_role {
        env.push(("DJCALLS_DB_APP_ROLE", role.clone()));
    }
    env
}

fn migrate(env: &[(&str, String)]) -> std::process::Output {
    djcalls()
        .arg("migrate")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap()
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(SERVICE_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().await.unwrap();
        let status = reply.status().as_u16();
        (status, reply.json().await.unwrap_or(Value::Null))
    }

    async fn put_profile(&self, id: &str, slug: &str) {
        let body = json!({"dj_name": slug, "dj_slug": slug, "real_phone_number": "+12125550142"});
        let path = format!("/api/djdash/profiles/{id}");
        let (status, reply) = self.send(reqwest::Method::PUT, &path, Some(body)).await;
        assert!((200..300).contains(&status), "{status} {reply}");
    }

    /// Logs an answered call for `dj`; returns its id.
    async fn log_call(&self, dj: &str) -> String {
        let body = json!({"dj_profile_id": dj, "call_duration_seconds": 60});
        let (status, reply) = self
            .send(reqwest::Method::POST, "/api/djdash/calls", Some(body))
            .await;
        assert_eq!(status, 201, "{reply}");
        reply["call"]["id"].as_str().unwrap().to_string()
    }

    async fn call_ids(&self, dj: &str) -> Vec<String> {
        let path = format!("/api/djdash/calls?dj_profile_id={dj}");
        let (status, reply) = self.send(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{reply}");
        let calls = reply["calls"].as_array().unwrap();
        calls
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// `dj_calls` owners visible to a transaction of `db`'s login (switched to the app role
/// when there is one) with `app.role` = `role` and `app.dj_profile_ids` = `profiles`.
async fn visible_call_owners(db: &TestDb, role: Option<&str>, profiles: &str) -> Vec<String> {
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    if let Some(app_role) = &db.options.app_role {
        sqlx::query("SELECT set_config('role', $1, true)")
            .bind(app_role)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    if let Some(role) = role {
        sqlx::query(
            "SELECT set_config('app.role', $1, true), set_config('app.dj_profile_ids', $2, true)",
        )
        .bind(role)
        .bind(profiles)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let owners = sqlx::query_scalar("SELECT dj_profile_id::text FROM dj_calls ORDER BY 1")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    owners
}

async fn migrate_and_serve_as_the_owner(setup: PgSetup) {
    let Some(db) = TestDb::postgres_unmigrated(setup).await else {
        return;
    };
    let env = database_env(&db);
    let migrated = migrate(&env);
    let stderr = String::from_utf8_lossy(&migrated.stderr);
    assert!(migrated.status.success(), "{setup:?}: {stderr}");

    let served = serve(&env);
    let log = served.start_up_log.join("\n");
    assert!(!log.contains("row-level security does not apply"), "{log}");
    let api = Api {
        client: reqwest::Client::new(),
        base: served.base.clone(),
    };
    let ready = api.client.get(format!("{}/readyz", api.base)).send().await;
    assert_eq!(ready.unwrap().status(), 200);
    api.put_profile(DJ_A, "dj-a").await;
    api.put_profile(DJ_B, "dj-b").await;
    api.log_call(DJ_A).await;
    api.log_call(DJ_B).await;
    assert_eq!(api.call_ids(DJ_A).await.len(), 1);
    assert_eq!(api.call_ids(DJ_B).await.len(), 1);

    // Raw SQL as the very role the service logs in as: a DJ identity sees only its rows.
    let only_a = visible_call_owners(&db, Some("dj"), DJ_A).await;
    assert_eq!(only_a, vec![DJ_A.to_string()], "{setup:?}");
    let both = visible_call_owners(&db, Some("admin"), "").await;
    assert_eq!(both.len(), 2, "{setup:?}");
    assert!(visible_call_owners(&db, None, "").await.is_empty());
}

#[tokio::test]
async fn migrate_and_serve_as_a_role_that_only_owns_its_database() {
    migrate_and_serve_as_the_owner(PgSetup::Owner).await;
}

#[tokio::test]
async fn migrate_and_serve_as_the_owner_switching_to_djcalls_db_app_role() {
    migrate_and_serve_as_the_owner(PgSetup::OwnerWithAppRole).await;
}

#[tokio::test]
async fn an_app_role_the_login_cannot_switch_to_stops_migrate_with_one_clear_line() {
    let Some(db) = TestDb::postgres_unmigrated(PgSetup::Owner).await else {
        return;
    };
    let mut env = database_env(&db);
    env.push(("DJCALLS_DB_APP_ROLE", "djcalls_nobody_grants_this".into()));
    let output = migrate(&env);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("DJCALLS_DB_APP_ROLE names role djcalls_nobody_grants_this"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let password = db
        .url
        .rsplit_once('@')
        .unwrap()
        .0
        .rsplit_once(':')
        .unwrap()
        .1;
    assert!(
        !stderr.contains(password),
        "the password never shows: {stderr}"
    );
}

/// Adds DJ A and three calls to the replica, as the owner with the `system` identity.
async fn seed_replica(replica: &TestDb) -> Vec<String> {
    let mut conn = PgConnection::connect(&replica.url).await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.role', 'system', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO dj_profiles (id, dj_name, dj_slug, created_at, updated_at) \
         VALUES ($1::uuid, 'dj-a', 'dj-a', now(), now())",
    )
    .bind(DJ_A)
    .execute(&mut *tx)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for hours in [1, 2, 3] {
        let id: String = sqlx::query_scalar(
            "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", created_at, updated_at) \
             VALUES (gen_random_uuid(), $1::uuid, now() - make_interval(hours => $2), now(), now()) \
             RETURNING id::text",
        )
        .bind(DJ_A)
        .bind(hours)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

#[tokio::test]
async fn lists_and_analytics_come_from_database_read_url_and_read_after_write_from_the_primary() {
    let Some(primary) = TestDb::postgres().await else {
        return;
    };
    let replica = primary.sibling().await;
    let replica_calls = seed_replica(&replica).await;
    let mut env = database_env(&primary);
    env.push(("DATABASE_READ_URL", replica.url.clone()));
    let served = serve(&env);
    let api = Api {
        client: reqwest::Client::new(),
        base: served.base.clone(),
    };
    api.put_profile(DJ_A, "dj-a").await;
    let written = api.log_call(DJ_A).await;

    // The list and the analytics are the replica's.
    assert_eq!(api.call_ids(DJ_A).await, replica_calls);
    let path = format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}");
    let (status, reply) = api.send(reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["analytics"]["totalCalls"], 3, "{reply}");

    // The call just written, patched and read back by id: the primary's, at once.
    let path = format!("/api/djdash/calls/{written}");
    let body = json!({"notes": "asked about June"});
    let (status, reply) = api.send(reqwest::Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = api.send(reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["call"]["notes"], "asked about June", "{reply}");
    // A call only the replica has is not found by id.
    let path = format!("/api/djdash/calls/{}", replica_calls[0]);
    let (status, _) = api.send(reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 404);
}
