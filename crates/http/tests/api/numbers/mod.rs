//! The virtual-number API end to end (SPEC §3, §5): the pool's lifecycle, assignment with
//! area-code preference, on-demand purchase with its cap, races, publish-on-PUT, the public
//! view and the DNI batch. The real app on a real port, with simulated Twilio; the stories that
//! involve concurrency or SQL run on SQLite and (when a server answers) PostgreSQL.
#![allow(clippy::unwrap_used)]

/// Runs `story(TestApp)` from `<name>::on_sqlite` and `<name>::on_postgres`.
macro_rules! on_both_backends {
    ($($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$story(djcalls_testkit::TestApp::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(t) = djcalls_testkit::TestApp::postgres().await else {
                    return;
                };
                super::$story(t).await;
            }
        }
    )+};
}

mod access;
mod pool;
mod purchase;
mod support;
