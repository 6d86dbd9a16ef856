//! Persistence for djcalls: one `Store` over SQLite (the embedded default) or PostgreSQL
//! (production, with row-level security). Each query is written once, with `$n` placeholders
//! and types both backends store natively (`DbTime`, UUIDs, integer cents); the few statements
//! whose SQL must differ (day bucketing, RLS context) are split explicitly.

mod dbtime;
mod error;
#[macro_use]
mod tx;
pub mod analytics;
pub mod calls;
pub mod clicks;
pub mod jobs;
pub mod limits;
pub mod links;
pub mod messages;
pub mod notify;
pub mod numbers;
pub mod payments;
pub mod profiles;
pub mod sessions;
pub mod users;
pub mod voice;

pub use dbtime::DbTime;
pub use error::{StoreError, StoreResult};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Which database engine a `Store` talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Pg(PgPool),
    Lite(SqlitePool),
}

/// Cheap to clone; all clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
}

/// The PostgreSQL role queries run as (`SET LOCAL ROLE`), subject to row-level security.
pub const PG_APP_ROLE: &str = "djcalls_app";

impl Store {
    /// Opens a pool for `sqlite://…` (file created if missing, WAL) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        match backend_of(url) {
            Some(Backend::Sqlite) => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Store {
                    pool: Pool::Lite(pool),
                })
            }
            Some(Backend::Postgres) => {
                // Custom plans fold the optional-filter predicates (`$1 IS NULL OR …`) away, so
                // the (dj_profile_id, timestamp) index is used however often a query runs.
                let options = PgConnectOptions::from_str(url)?
                    .options([("plan_cache_mode", "force_custom_plan")]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Store {
                    pool: Pool::Pg(pool),
                })
            }
            None => Err(StoreError::Database(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite:// or postgres://".into(),
            ))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Pg(_) => Backend::Postgres,
            Pool::Lite(_) => Backend::Sqlite,
        }
    }

    /// Applies pending migrations (the same file names exist for both backends).
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Pg(pool) => {
                sqlx::migrate!("./migrations/postgres").run(pool).await?;
                // Without membership in the app role every query would fail later; say so now.
                let member: bool =
                    sqlx::query_scalar("SELECT pg_has_role(current_user, $1, 'MEMBER')")
                        .bind(PG_APP_ROLE)
                        .fetch_one(pool)
                        .await?;
                if !member {
                    return Err(StoreError::Database(sqlx::Error::Configuration(
                        format!("the database user must be a member of role {PG_APP_ROLE}").into(),
                    )));
                }
            }
            Pool::Lite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
        }
        Ok(())
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        let result = match &self.pool {
            Pool::Pg(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Pool::Lite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        result.is_ok()
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Pg(pool) => pool.close().await,
            Pool::Lite(pool) => pool.close().await,
        }
    }

    /// The raw PostgreSQL pool, for tests that check row-level security with plain SQL.
    pub fn pg_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Pg(pool) => Some(pool),
            Pool::Lite(_) => None,
        }
    }
}

/// The backend a `DATABASE_URL` names, or `None` when it names neither.
pub fn backend_of(url: &str) -> Option<Backend> {
    if url.starts_with("sqlite:") {
        Some(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(Backend::Postgres)
    } else {
        None
    }
}

/// Splices a static column list into a static SQL template at `{COLUMNS}`.
///
/// sqlx takes only `&'static str` (or an explicit `AssertSqlSafe`) as SQL, which keeps values out
/// of SQL text; the templates here only ever join other static strings.
pub(crate) fn sql_with(
    columns: &'static str,
    template: &'static str,
) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(template.replace("{COLUMNS}", columns))
}
