//! `djcalls serve`: migrations, then the HTTP server and the job runner until SIGTERM or
//! Ctrl-C. A PostgreSQL database that does not answer at start does not stop it when a routing
//! snapshot exists (SPEC §10): calls are connected from it and spooled, and migrations, the
//! job runner and the spool's replay start once the database answers.

use crate::cli::{DatabaseArgs, ServeArgs, ServiceArgs};
use anyhow::Context;
use djcalls_app::jobs::JobRunner;
use djcalls_app::outage::{ROUTING_SNAPSHOT, Upkeep};
use djcalls_app::reports::shown::ShownFlusher;
use djcalls_app::{App, SystemClock};
use djcalls_store::{Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = crate::config::settings(&args.service)?;
    let telephony = crate::config::telephony(&args.service.twilio)?;
    let payments = crate::config::payments(&args.service.payments, &settings)?;
    let build = |store| {
        App::new(
            store,
            settings.clone(),
            Arc::new(SystemClock),
            telephony.clone(),
            payments.clone(),
        )
    };
    match crate::config::open_store(&args.database).await {
        Ok(store) => serve_with(build(store), &args.service, Startup::Ready, |_| {}).await,
        Err(e) if database_away(&e) && is_postgres(&args.database) => {
            let store = crate::config::open_store_lazily(&args.database).await?;
            let app = build(store.clone());
            let numbers = match app.load_routing_snapshot().await {
                Ok(Some(numbers)) => numbers,
                Ok(None) => {
                    return Err(e.context(format!(
                        "and {} holds no routing snapshot to connect calls from until it answers",
                        app.voice_spool().dir().join(ROUTING_SNAPSHOT).display()
                    )));
                }
                Err(snapshot) => {
                    return Err(e.context(format!(
                        "and the routing snapshot cannot be read: {snapshot}"
                    )));
                }
            };
            tracing::error!(error = %format!("{e:#}"), numbers, "the database is unavailable at start: calls are connected from the routing snapshot and spooled; migrations, jobs and replay start when it answers");
            let database = args.database.clone();
            serve_with(
                app,
                &args.service,
                Startup::DatabaseAway { store, database },
                |_| {},
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// How the database was at start.
pub enum Startup {
    /// Connected, migrated, set up.
    Ready,
    /// Away: `store` connects when it answers; then it is prepared (`database`'s migrations
    /// and checks) and what needs the database starts.
    DatabaseAway {
        store: Store,
        database: DatabaseArgs,
    },
}

/// The database could not be reached (as opposed to refused our setup).
fn database_away(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_unavailable)
    })
}

fn is_postgres(db: &DatabaseArgs) -> bool {
    djcalls_store::backend_of(&db.database_url) == Some(djcalls_store::Backend::Postgres)
}

/// Serves `app` on a database that was ready at start.
pub async fn serve(
    app: App,
    args: &ServiceArgs,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    serve_with(app, args, Startup::Ready, on_ready).await
}

/// Binds, then serves `app` until a shutdown signal; `on_ready` runs once the port is bound.
async fn serve_with(
    app: App,
    args: &ServiceArgs,
    startup: Startup,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let base_url = app.public_base_url().to_string();
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(listen = %args.listen, public_base_url = %base_url, backend = ?app.database_backend(), "djcalls is serving");
    // On PostgreSQL: hear other processes' live updates and enqueued jobs, tell them ours.
    // (Its listener retries until the database answers.)
    let relay = app.start_relay();
    // What needs the database ready: at once, or (below) once it answers.
    let mut running = match &startup {
        Startup::Ready => Some(start_background(&app, args).await),
        Startup::DatabaseAway { .. } => None,
    };
    on_ready(&base_url);
    // Header-read and idle timeouts and the connection cap (SPEC §11); handlers get the peer
    // address (per-client rate limits).
    let limits = args.connections.limits();
    crate::connections::raise_open_files_limit(&limits);
    let server = djcalls_http::serve(
        listener,
        djcalls_http::router(app.clone()),
        limits,
        shutdown_signal(),
    );
    match startup {
        Startup::Ready => server.await,
        // Beside the server in this task (sqlx's migration future cannot be spawned): until
        // the database answers, or until shutdown if it never does.
        Startup::DatabaseAway { store, database } => {
            tokio::pin!(server);
            tokio::select! {
                () = &mut server => {}
                started = async {
                    prepare_when_back(&store, &database).await;
                    start_background(&app, args).await
                } => {
                    running = Some(started);
                    server.await;
                }
            }
        }
    }
    tracing::info!(
        "shutting down: draining connections, finishing jobs in flight, closing the database"
    );
    if let Some(running) = running {
        running.shutdown().await;
        // The calls of the `incoming` deliveries this process accepted last (what is left, if
        // this fails, another process or the next start projects).
        if let Err(e) = app.project_pending().await {
            tracing::warn!(error = %e, "could not project the last accepted calls before stopping");
        }
    }
    // Its listener holds a pooled connection: stop it before the pool closes.
    relay.shutdown().await;
    app.close().await;
    Ok(())
}

/// The routing table, the outage upkeep (routing reloads, spool replay) and the job runner.
struct Running {
    upkeep: Upkeep,
    jobs: Option<JobRunner>,
    /// Writes the DNI answers' counts (the funnel's "numbers shown") every few seconds.
    shown: ShownFlusher,
}

impl Running {
    async fn shutdown(self) {
        self.shown.shutdown().await;
        // Claims nothing new and waits for running jobs; an unfinished one is claimed again
        // after its lease by the next start.
        if let Some(jobs) = self.jobs {
            jobs.shutdown().await;
        }
        self.upkeep.shutdown().await;
    }
}

async fn start_background(app: &App, args: &ServiceArgs) -> Running {
    match app.refresh_routing().await {
        Ok(numbers) => tracing::info!(numbers, "routing table loaded"),
        Err(e) => {
            tracing::warn!(error = %e, "could not load the routing table; it is loaded again within 30 s")
        }
    }
    // Routing in memory and the spool's replay: calls connect while the database is away.
    let upkeep = app.start_outage_upkeep();
    let jobs = match args.job_workers {
        0 => {
            tracing::info!("DJCALLS_JOB_WORKERS=0: this process runs no jobs");
            None
        }
        workers => Some(app.start_job_runner(workers, Duration::from_secs(args.job_poll_seconds))),
    };
    let shown = app.start_shown_flusher();
    Running {
        upkeep,
        jobs,
        shown,
    }
}

/// Tries every second (every 30 s after a refusal that is not an outage) until the database
/// is migrated and set up.
async fn prepare_when_back(store: &Store, database: &DatabaseArgs) {
    loop {
        let wait = match crate::config::prepare_store(store, database).await {
            Ok(()) => {
                tracing::info!(
                    "the database answers: migrated; loading routing, replaying the spool, running jobs"
                );
                return;
            }
            Err(e) if database_away(&e) => Duration::from_secs(1),
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "the database answers but cannot be prepared; calls keep being spooled");
                Duration::from_secs(30)
            }
        };
        tokio::time::sleep(wait).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
