//! `djcalls serve`: migrations, then the HTTP server and the job runner until SIGTERM or
//! Ctrl-C.

use crate::cli::{ServeArgs, ServiceArgs};
use anyhow::Context;
use djcalls_app::{App, SystemClock};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = crate::config::settings(&args.service)?;
    let telephony = crate::config::telephony(&args.service.twilio)?;
    let store = crate::config::open_store(&args.database).await?;
    let payments = crate::config::payments(&args.service.payments, &settings)?;
    let app = App::new(store, settings, Arc::new(SystemClock), telephony, payments);
    serve(app, &args.service, |_| {}).await
}

/// Binds, then serves `app` until a shutdown signal; `on_ready` runs once the port is bound.
pub async fn serve(
    app: App,
    args: &ServiceArgs,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let base_url = app.public_base_url().to_string();
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(listen = %args.listen, public_base_url = %base_url, backend = ?app.database_backend(), "djcalls is serving");
    match app.refresh_routing().await {
        Ok(numbers) => tracing::info!(numbers, "routing table loaded"),
        Err(e) => {
            tracing::warn!(error = %e, "could not load the routing table; it is loaded again within 30 s")
        }
    }
    // On PostgreSQL: hear other processes' live updates and enqueued jobs, tell them ours.
    let relay = app.start_relay();
    // Routing in memory and the spool's replay: calls connect while the database is away.
    let upkeep = app.start_outage_upkeep();
    let jobs = match args.job_workers {
        0 => {
            tracing::info!("DJCALLS_JOB_WORKERS=0: this process runs no jobs");
            None
        }
        workers => Some(app.start_job_runner(workers, Duration::from_secs(args.job_poll_seconds))),
    };
    on_ready(&base_url);
    // Header-read and idle timeouts and the connection cap (SPEC §11); handlers get the peer
    // address (per-client rate limits).
    let limits = args.connections.limits();
    crate::connections::raise_open_files_limit(&limits);
    djcalls_http::serve(
        listener,
        djcalls_http::router(app.clone()),
        limits,
        shutdown_signal(),
    )
    .await;
    tracing::info!(
        "shutting down: draining connections, finishing jobs in flight, closing the database"
    );
    // Claims nothing new and waits for running jobs; an unfinished one is claimed again after
    // its lease by the next start.
    if let Some(jobs) = jobs {
        jobs.shutdown().await;
    }
    // Its listener holds a pooled connection: stop it before the pool closes.
    relay.shutdown().await;
    upkeep.shutdown().await;
    app.close().await;
    Ok(())
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
