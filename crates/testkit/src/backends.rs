//! `on_both_backends!`: one story, two tests — on SQLite and on PostgreSQL.

/// Runs each story on SQLite and on PostgreSQL as two tests, `<name>::on_sqlite` and
/// `<name>::on_postgres` (the latter returns early when no server answers and PostgreSQL is
/// not required; see the crate docs). Stories are `async fn`s in the calling module, taking
/// either the running app or a bare migrated database:
///
/// ```ignore
/// djcalls_testkit::on_both_backends! { TestApp:
///     a_number_is_assigned_once => a_number_is_assigned_once;   // async fn(TestApp)
/// }
/// djcalls_testkit::on_both_backends! { &TestDb:
///     claims_never_overlap => claims_never_overlap;             // async fn(&TestDb)
/// }
/// ```
///
/// Tests run on a multi-threaded runtime so that stories about concurrency really race. The
/// calling crate needs `tokio` (with the `macros` feature) as a dev-dependency.
#[macro_export]
macro_rules! on_both_backends {
    (TestApp: $($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$story($crate::TestApp::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(t) = $crate::TestApp::postgres().await else {
                    return;
                };
                super::$story(t).await;
            }
        }
    )+};
    (&TestDb: $($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                let db = $crate::TestDb::sqlite().await;
                super::$story(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(db) = $crate::TestDb::postgres().await else {
                    return;
                };
                super::$story(&db).await;
            }
        }
    )+};
}
