//! The virtual-number pool in the store, on SQLite and (when a server answers) PostgreSQL:
//! claims with area-code preference, cooling, release, purchase reservations, the call-flow
//! lookup, and races between concurrent claims.
#![allow(clippy::unwrap_used)]

/// Runs `story(&TestDb)` from two tests, `<name>::on_sqlite` and `<name>::on_postgres`.
macro_rules! on_both_backends {
    ($($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                let db = djcalls_testkit::TestDb::sqlite().await;
                super::$story(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(db) = djcalls_testkit::TestDb::postgres().await else {
                    return;
                };
                super::$story(&db).await;
            }
        }
    )+};
}

mod claims;
mod isolation;
mod stock;
mod support;
