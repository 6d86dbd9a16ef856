//! Fresh, isolated databases for tests. PostgreSQL databases are set up the way a managed
//! database is: a per-test login role that owns its database and has no other rights (no
//! superuser, CREATEROLE or BYPASSRLS), so the whole suite runs the way production runs.

use djcalls_store::{Store, StoreOptions};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// A migrated store on a database nobody else uses; PostgreSQL databases (and their roles)
/// are dropped when this value is.
pub struct TestDb {
    pub url: String,
    /// What the store was opened with; a second store on this database uses the same.
    pub options: StoreOptions,
    pub store: Store,
    _cleanup: Cleanup,
}

/// How a test PostgreSQL database is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgSetup {
    /// The login role owns the database; transactions run as it.
    Owner,
    /// As `Owner`, plus a NOLOGIN role "a DBA" created and granted to the login role,
    /// named by `StoreOptions::app_role` (`DJCALLS_DB_APP_ROLE`).
    OwnerWithAppRole,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
        /// The login role that owns the database.
        owner: String,
        /// Roles to drop after the database: the app role (if any), then the owner. A role
        /// that still owns another database (a [`TestDb::sibling`]) survives until the last
        /// of them is dropped.
        roles: Vec<String>,
    },
}

pub fn postgres_admin_url() -> String {
    std::env::var("DJCALLS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

pub(crate) fn postgres_required() -> bool {
    std::env::var("DJCALLS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// `DJCALLS_TEST_PG_APP_ROLE=1` runs every PostgreSQL test in the separate-role setup.
fn default_setup() -> PgSetup {
    match std::env::var("DJCALLS_TEST_PG_APP_ROLE") {
        Ok(v) if v == "1" => PgSetup::OwnerWithAppRole,
        _ => PgSetup::Owner,
    }
}

/// `admin_url` with its credentials and database replaced.
pub fn postgres_url_as(admin_url: &str, credentials: Option<&str>, database: &str) -> String {
    let (scheme, rest) = admin_url
        .split_once("://")
        .expect("DJCALLS_TEST_POSTGRES_URL must be a postgres:// URL");
    let host_and_db = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = match host_and_db.split_once('/') {
        Some((host, _)) => host,
        None => panic!("DJCALLS_TEST_POSTGRES_URL must end with a database name"),
    };
    match credentials {
        Some(credentials) => format!("{scheme}://{credentials}@{host}/{database}"),
        None => {
            let user = rest.rsplit_once('@').map(|(user, _)| user);
            match user {
                Some(user) => format!("{scheme}://{user}@{host}/{database}"),
                None => format!("{scheme}://{host}/{database}"),
            }
        }
    }
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            url,
            options: StoreOptions::default(),
            store,
            _cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh, migrated PostgreSQL database owned by an ordinary role, or `None` (with a
    /// notice) when no server answers and PostgreSQL is not required.
    pub async fn postgres() -> Option<TestDb> {
        TestDb::postgres_in(default_setup()).await
    }

    /// [`TestDb::postgres`] in a chosen setup.
    pub async fn postgres_in(setup: PgSetup) -> Option<TestDb> {
        let db = TestDb::postgres_unmigrated(setup).await?;
        db.store.migrate().await.expect("migrate postgres");
        Some(db)
    }

    /// [`TestDb::postgres`] in a chosen setup, not yet migrated.
    pub async fn postgres_unmigrated(setup: PgSetup) -> Option<TestDb> {
        let admin_url = postgres_admin_url();
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(e) if !postgres_required() => {
                eprintln!("SKIPPED: PostgreSQL test (no server at {admin_url}: {e})");
                return None;
            }
            Err(e) => panic!(
                "PostgreSQL is required (DJCALLS_REQUIRE_POSTGRES=1) but {admin_url} failed: {e}"
            ),
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("djcalls_t_{id}");
        let owner = format!("djcalls_o_{id}");
        let password = uuid::Uuid::new_v4().simple().to_string();
        let mut statements = vec![
            // What a managed PostgreSQL hands an application: a login that owns one database.
            format!(
                "CREATE ROLE {owner} LOGIN PASSWORD '{password}' \
                 NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
            ),
            format!("CREATE DATABASE {name} OWNER {owner}"),
        ];
        let mut roles = vec![owner.clone()];
        let mut options = StoreOptions::default();
        if setup == PgSetup::OwnerWithAppRole {
            let app = format!("djcalls_a_{id}");
            statements.push(format!("CREATE ROLE {app} NOLOGIN NOSUPERUSER NOBYPASSRLS"));
            statements.push(format!("GRANT {app} TO {owner}"));
            options.app_role = Some(app.clone());
            roles.insert(0, app);
        }
        for statement in statements {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut admin)
                .await
                .expect("set up the test database and its roles");
        }
        let _ = admin.close().await;
        let url = postgres_url_as(&admin_url, Some(&format!("{owner}:{password}")), &name);
        let cleanup = Cleanup::Postgres {
            admin_url,
            name,
            owner,
            roles,
        };
        let store = Store::connect_with(&url, &options)
            .await
            .expect("open postgres as the owner role");
        Some(TestDb {
            url,
            options,
            store,
            _cleanup: cleanup,
        })
    }

    /// This database's URL for the server's superuser (PostgreSQL only): for what only a DBA
    /// does, such as replaying an old release's migrations.
    pub fn superuser_url(&self) -> Option<String> {
        match &self._cleanup {
            Cleanup::Postgres {
                admin_url, name, ..
            } => Some(postgres_url_as(admin_url, None, name)),
            Cleanup::Sqlite(_) => None,
        }
    }

    /// The login role that owns this database (PostgreSQL only).
    pub fn owner_role(&self) -> Option<&str> {
        match &self._cleanup {
            Cleanup::Postgres { owner, .. } => Some(owner),
            Cleanup::Sqlite(_) => None,
        }
    }

    /// Another fresh, migrated PostgreSQL database with the same owner, password and app
    /// role as this one: what a streaming replica looks like to the application (same roles,
    /// its own content), for `DATABASE_READ_URL` tests. Panics on SQLite.
    pub async fn sibling(&self) -> TestDb {
        let Cleanup::Postgres {
            admin_url,
            owner,
            roles,
            ..
        } = &self._cleanup
        else {
            panic!("only a PostgreSQL test database has a sibling");
        };
        let name = format!("djcalls_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(admin_url)
            .await
            .expect("connect as superuser");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {owner}"
        )))
        .execute(&mut admin)
        .await
        .expect("create the sibling database");
        let _ = admin.close().await;
        let url = match self.url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => unreachable!("test URLs end with the database name"),
        };
        let store = Store::connect_with(&url, &self.options)
            .await
            .expect("open the sibling as the owner role");
        store.migrate().await.expect("migrate the sibling");
        TestDb {
            url,
            options: self.options.clone(),
            store,
            _cleanup: Cleanup::Postgres {
                admin_url: admin_url.clone(),
                name,
                owner: owner.clone(),
                roles: roles.clone(),
            },
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::Postgres {
            admin_url,
            name,
            roles,
            ..
        } = self
        {
            let (admin_url, name, roles) = (admin_url.clone(), name.clone(), roles.clone());
            // Drop can't await; a short-lived runtime on its own thread does the cleanup.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                        let mut statements =
                            vec![format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")];
                        statements.extend(roles.iter().map(|r| format!("DROP ROLE IF EXISTS {r}")));
                        for statement in statements {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(statement))
                                .execute(&mut admin)
                                .await;
                        }
                    }
                });
            })
            .join();
        }
    }
}
