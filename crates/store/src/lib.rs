//! Persistence for djcalls: one `Store` over SQLite (the embedded default) or PostgreSQL
//! (production, with row-level security). Each query is written once, with `$n` placeholders
//! and types both backends store natively (`DbTime`, UUIDs, integer cents); the few statements
//! whose SQL must differ (day bucketing, RLS context) are split explicitly. On PostgreSQL an
//! optional second pool on a read replica serves analytics and dashboard lists.

mod dbtime;
mod error;
mod setup;
#[macro_use]
mod tx;
pub mod accounts;
pub mod analytics;
pub mod calls;
pub mod clicks;
pub mod contacts;
pub mod conversions;
pub mod experiments;
pub mod followup_texts;
pub mod jobs;
pub mod limits;
pub mod links;
pub mod messages;
pub mod notify;
pub mod numbers;
pub mod payments;
pub mod profiles;
pub mod reports;
pub mod seeding;
pub mod sessions;
pub mod sign_in_links;
pub mod users;
pub mod voice;
pub mod webhooks;

pub use dbtime::DbTime;
pub use error::{StoreError, StoreResult};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
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

/// Cheap to clone; all clones share one connection pool (and the replica's, if any).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    /// `DATABASE_READ_URL`'s pool: read-only transactions for analytics and dashboard lists.
    pub(crate) replica: Option<PgPool>,
    /// `DJCALLS_DB_APP_ROLE`: the role every PostgreSQL transaction switches to. `None` runs
    /// as the connecting role, which RLS binds too because every table forces it.
    pub(crate) app_role: Option<Arc<str>>,
    /// SQLite has one writer at a time. Write transactions take turns here, first come first
    /// served, instead of in SQLite's busy handler, which retries with growing sleeps and so
    /// gives the unlucky writer a tail of hundreds of milliseconds under concurrency.
    pub(crate) sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// PostgreSQL: concurrent `incoming` deliveries share a statement and a commit
    /// (`voice/batch.rs`).
    pub(crate) incoming_batches: Option<Arc<voice::IncomingBatcher>>,
    /// The `FOLLOWUP_MIN_TALK_SECONDS` the funnel summaries should be kept for
    /// ([`Store::keep_funnel_for`]); negative until a service says.
    pub(crate) funnel_min_talk: Arc<std::sync::atomic::AtomicI64>,
    /// Which database this is, without credentials (`identity_of`).
    identity: Arc<str>,
}

/// The longest a request waits for a connection, SQLite's write lock or its place among this
/// process's writers: past it the database counts as unavailable (SPEC §10: the API answers
/// 503 `database_unavailable` within 3 s).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// How to use a database beyond its URL. Both settings are PostgreSQL-only.
#[derive(Clone, Debug, Default)]
pub struct StoreOptions {
    /// An existing role the connecting user may `SET ROLE` to (the separate-role setup).
    pub app_role: Option<String>,
    /// A streaming replica of the same database, for reads that may lag.
    pub read_url: Option<String>,
}

impl Store {
    /// Opens a pool for `sqlite://…` (file created if missing, WAL) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// [`Store::connect`] with an app role and/or a read replica. Refuses both on SQLite (an
    /// embedded file has neither) and an app role the connecting user cannot switch to, so a
    /// misconfiguration stops start-up instead of failing every request.
    pub async fn connect_with(url: &str, options: &StoreOptions) -> StoreResult<Store> {
        let store = Store::open(url, options, false).await?;
        store.check_app_role().await?;
        Ok(store)
    }

    /// A PostgreSQL store whose connections are made when first needed: for a process that
    /// starts while the database is away (SPEC §10). Nothing is checked yet; call
    /// [`Store::migrate`] and [`Store::check_setup`] once the database answers.
    pub async fn connect_lazy_with(url: &str, options: &StoreOptions) -> StoreResult<Store> {
        if backend_of(url) != Some(Backend::Postgres) {
            return Err(StoreError::Setup(
                "only a PostgreSQL store can be opened before its database answers".into(),
            ));
        }
        Store::open(url, options, true).await
    }

    /// What [`Store::connect_with`] checks of the setup (the app role), for a lazily opened
    /// store once its database answers.
    pub async fn check_setup(&self) -> StoreResult<()> {
        self.check_app_role().await
    }

    async fn open(url: &str, options: &StoreOptions, lazy: bool) -> StoreResult<Store> {
        let pool = match backend_of(url) {
            Some(Backend::Sqlite) => {
                if options.app_role.is_some() || options.read_url.is_some() {
                    return Err(StoreError::Setup(
                        "DJCALLS_DB_APP_ROLE and DATABASE_READ_URL need PostgreSQL; \
                         unset them for SQLite"
                            .into(),
                    ));
                }
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(ACQUIRE_TIMEOUT)
                    .foreign_keys(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await?;
                Pool::Lite(pool)
            }
            Some(Backend::Postgres) => Pool::Pg(open_pg_pool(url, lazy).await?),
            None => {
                return Err(StoreError::Database(sqlx::Error::Configuration(
                    "DATABASE_URL must start with sqlite:// or postgres://".into(),
                )));
            }
        };
        let replica = match options.read_url.as_deref() {
            Some(read_url) if backend_of(read_url) == Some(Backend::Postgres) => {
                Some(open_pg_pool(read_url, lazy).await.map_err(|e| {
                    StoreError::Setup(format!("cannot open DATABASE_READ_URL: {e}"))
                })?)
            }
            Some(_) => {
                return Err(StoreError::Setup(
                    "DATABASE_READ_URL must start with postgres://".into(),
                ));
            }
            None => None,
        };
        let incoming_batches = match &pool {
            Pool::Pg(pg) => Some(Arc::new(voice::IncomingBatcher::start(
                pg.clone(),
                options.app_role.as_deref().map(Arc::from),
            ))),
            Pool::Lite(_) => None,
        };
        let store = Store {
            pool,
            replica,
            identity: Arc::from(identity_of(url)),
            app_role: options.app_role.as_deref().map(Arc::from),
            sqlite_writer: Arc::default(),
            incoming_batches,
            funnel_min_talk: Arc::new(std::sync::atomic::AtomicI64::new(-1)),
        };
        Ok(store)
    }

    /// Which database this is, without credentials: `postgres://host:port/database`.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Pg(_) => Backend::Postgres,
            Pool::Lite(_) => Backend::Sqlite,
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        let result = match &self.pool {
            Pool::Pg(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Pool::Lite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        result.is_ok()
    }

    /// True once [`Store::close`] was called: nothing more will be written through it.
    pub fn is_closed(&self) -> bool {
        match &self.pool {
            Pool::Pg(pool) => pool.is_closed(),
            Pool::Lite(pool) => pool.is_closed(),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Pg(pool) => pool.close().await,
            Pool::Lite(pool) => pool.close().await,
        }
        if let Some(replica) = &self.replica {
            replica.close().await;
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

/// A PostgreSQL pool. Plans are PostgreSQL's default; the dashboard reads whose optional
/// filters need plans made for their values ask for them per transaction (`tx::enter_pg`).
async fn open_pg_pool(url: &str, lazy: bool) -> StoreResult<PgPool> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    Ok(if lazy {
        pool.connect_lazy_with(options)
    } else {
        pool.connect_with(options).await?
    })
}

/// A database's name for files kept about it: `postgres://host:port/database` or the SQLite
/// URL, never credentials.
fn identity_of(url: &str) -> String {
    match PgConnectOptions::from_str(url) {
        Ok(pg) if backend_of(url) == Some(Backend::Postgres) => format!(
            "postgres://{}:{}/{}",
            pg.get_host(),
            pg.get_port(),
            pg.get_database().unwrap_or_default()
        ),
        _ => url.split('?').next().unwrap_or_default().to_string(),
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

#[cfg(test)]
mod tests {
    use super::identity_of;

    #[test]
    fn a_database_is_named_without_its_credentials() {
        assert_eq!(
            identity_of("postgres://djcalls:secret@db.internal:6432/calls?sslmode=require"),
            "postgres://db.internal:6432/calls"
        );
        assert_eq!(
            identity_of("sqlite:///var/lib/djcalls.db?mode=rwc"),
            "sqlite:///var/lib/djcalls.db"
        );
    }
}
