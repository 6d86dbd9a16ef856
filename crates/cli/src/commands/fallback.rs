//! `djcalls fallback export` and `djcalls reconcile` (SPEC §10: calls connect when the whole
//! service is down, and are recorded afterwards).

use crate::cli::{DatabaseArgs, ReconcileArgs};
use anyhow::{Context, anyhow, bail};
use djcalls_app::fallback::write_fallback_dir;
use djcalls_app::{App, AppError, Settings, SystemClock};
use djcalls_telephony::{SimulatedTelephony, Telephony};
use std::path::Path;
use std::sync::Arc;

/// An app over `db` for a one-off command; telephony only where the command calls Twilio.
async fn app(db: &DatabaseArgs, telephony: Arc<dyn Telephony>) -> anyhow::Result<App> {
    let store = crate::config::open_store(db).await?;
    let settings = Settings::for_base_url("http://localhost");
    let payments = crate::config::simulated_payments(&settings);
    Ok(App::new(
        store,
        settings,
        Arc::new(SystemClock),
        telephony,
        payments,
    ))
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Internal(source) => anyhow!("{source}"),
        other => anyhow!("{other}"),
    }
}

pub async fn export(db: &DatabaseArgs, dir: &Path) -> anyhow::Result<()> {
    let app = app(db, Arc::new(SimulatedTelephony::new())).await?;
    let files = app.fallback_files().await.map_err(explain);
    app.close().await;
    let files = files.context("cannot read the assigned numbers")?;
    let target = dir.to_path_buf();
    let count = files.len();
    let report = tokio::task::spawn_blocking(move || write_fallback_dir(&target, &files))
        .await
        .context("the export was interrupted")?
        .context("cannot write the fallback files")?;
    println!(
        "{}: assigned numbers {count}; files written {}, unchanged {}, removed {}",
        dir.display(),
        report.written,
        report.unchanged,
        report.removed,
    );
    Ok(())
}

pub async fn reconcile(args: ReconcileArgs) -> anyhow::Result<()> {
    if args.since > jiff::Timestamp::now() {
        bail!("--since {} is in the future", args.since);
    }
    let telephony = crate::config::twilio_client(&args.twilio)?;
    let app = app(&args.database, telephony).await?;
    let report = app.reconcile_calls(args.since).await.map_err(explain);
    app.close().await;
    let report = report.context("cannot reconcile Twilio's call log")?;
    println!(
        "since {}: numbers {}; calls in Twilio's log {}, recorded now {}, known already {}, not over yet {}",
        args.since, report.numbers, report.listed, report.recorded, report.known, report.unfinished
    );
    Ok(())
}
