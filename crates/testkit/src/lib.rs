//! Test support shared by the crates' integration tests: a fresh database per test on SQLite
//! (always) or PostgreSQL (when a server answers), the real HTTP app on port 0, a second app
//! beside it with other settings (`TestApp::builder`), and `on_both_backends!`.
//!
//! PostgreSQL policy: tests use `DJCALLS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) to create one database per test. When no
//! server answers, a test is skipped with a notice — unless `DJCALLS_REQUIRE_POSTGRES=1` (CI),
//! where that is a failure.
//!
//! `PrivateCluster` is a PostgreSQL server of the test's own, to stop and start (outages).
//!
//! Browser tests (`browser`): headless Chromium through chromedriver, skipped with a notice
//! when neither is installed — unless `DJCALLS_REQUIRE_CHROMIUM=1` (CI).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod ad_platforms;
mod app;
mod backends;
pub mod browser;
mod builder;
mod cluster;
mod contents;
mod db;
pub mod voice_insights;

pub use app::{DJ_REAL_NUMBER, SERVICE_KEY, TestApp};
pub use builder::{ServedApp, TestAppBuilder};
pub use cluster::PrivateCluster;
pub use contents::{Contents, changed_tables};
pub use db::{PgSetup, TestDb, postgres_admin_url, postgres_url_as};
