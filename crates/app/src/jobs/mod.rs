//! The job runner: claims due jobs from the store's durable queue and runs them.
//!
//! In production a tokio task polls (every second by default) and wakes at once after an
//! enqueue in this process, or in another process on the same PostgreSQL database through the
//! relay (`live/relay.rs`, `LISTEN`/`NOTIFY`); it runs up to N jobs at a time, and on shutdown
//! finishes what it holds and claims nothing new. Polling stays as the safety net for a
//! wake-up lost with a connection. Tests drive the same code deterministically with [`App::run_due_jobs`].
//!
//! Delivery is at least once: a job whose worker died is claimed again after its lease, so
//! every job is idempotent (the follow-up SMS additionally claims "sent" for its call before
//! calling Twilio; see `followup.rs`). Job kinds are types ([`JobKind`], `kind.rs`).
//!
//! Periodic work is offered as jobs too: every minute the runner queues the current slot's
//! call reconciliation (`fallback::ReconcileCalls`), whose dedupe key makes it one job per slot
//! across all processes.

mod housekeeping;
mod kind;
pub use housekeeping::{KEEP_DONE_JOBS, KEEP_WEBHOOK_DELIVERIES};

pub use kind::JobKind;

use crate::App;
use djcalls_domain::retry::backoff;
use djcalls_store::DbTime;
use djcalls_store::jobs::{Job, JobState, later};
use jiff::SignedDuration;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// How long a claim holds a job. A worker that has not finished by then is presumed dead and
/// the job is claimed again; a job must finish well within it (an SMS send times out sooner).
pub const LEASE: SignedDuration = SignedDuration::from_secs(120);

/// Jobs claimed per round by [`App::run_due_jobs`].
const BATCH: u32 = 16;

/// How often the runner looks for due jobs when nothing wakes it, unless told otherwise.
pub const DEFAULT_POLL: Duration = Duration::from_secs(1);

/// Rounds of [`App::run_due_jobs`] before it gives up (a guard, never reached in practice:
/// a round only finds jobs due at the same instant).
const MAX_ROUNDS: usize = 1000;

/// How often the runner prunes finished jobs, rate-limit windows and expired sessions.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// How often the runner folds analytics deltas into the summaries (`Store::fold_analytics`).
const FOLD_EVERY: Duration = Duration::from_secs(1);
/// How often the runner offers the periodic jobs of the current slot (call reconciliation);
/// a slot is 15 minutes, and offering one twice queues it once.
const OFFER_EVERY: Duration = Duration::from_secs(60);

/// Wakes runners of this process early after an enqueue (here, or heard from another process
/// by the relay). Polling stays the safety net.
static WAKE: Notify = Notify::const_new();

/// Wakes this process's runners: those waiting now, and (through the stored permit) one that
/// is busy claiming, so a wake-up during a claim is not lost to the next poll.
pub fn wake_runners() {
    WAKE.notify_waiters();
    WAKE.notify_one();
}

/// What running a job came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// Finished, or nothing (more) to do.
    Done,
    /// A transient failure: try again after a backoff (dead once attempts run out).
    Retry(String),
    /// A permanent failure: keep it as dead, with this reason.
    Failed(String),
    /// Not now: run again at this instant, without counting an attempt (quiet hours).
    Later(DbTime),
}

impl App {
    /// A job was enqueued or made due now: wakes the runners here and, through the relay, in
    /// the other processes on the database.
    pub(crate) fn jobs_due_now(&self) {
        wake_runners();
        self.live.jobs_due();
    }

    /// Claims and runs every job due now, round after round until none is left; returns how
    /// many ran. Jobs that retry or wait are due later and are not run again in this call.
    pub async fn run_due_jobs(&self) -> usize {
        let mut ran = 0;
        for _ in 0..MAX_ROUNDS {
            let jobs = match self.store.claim_jobs(self.now(), LEASE, BATCH).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming jobs failed");
                    break;
                }
            };
            if jobs.is_empty() {
                break;
            }
            for job in jobs {
                self.execute_job(job).await;
                ran += 1;
            }
        }
        ran
    }

    /// Runs one claimed job and records its outcome.
    pub async fn execute_job(&self, job: Job) {
        let outcome = kind::dispatch(self, &job).await;
        let now = self.now();
        let recorded = match &outcome {
            JobOutcome::Done => self
                .store
                .complete_job(&job, now)
                .await
                .map(|held| held.then_some(JobState::Done)),
            JobOutcome::Retry(reason) => {
                let retry_at = later(now, backoff(job.attempts, rand::random::<f64>()));
                self.store.fail_job(&job, reason, Some(retry_at), now).await
            }
            JobOutcome::Failed(reason) => self.store.fail_job(&job, reason, None, now).await,
            JobOutcome::Later(at) => self
                .store
                .reschedule_job(&job, *at, now)
                .await
                .map(|held| held.then_some(JobState::Queued)),
        };
        match recorded {
            Ok(Some(state)) => {
                tracing::info!(job_id = %job.id, kind = %job.kind, attempt = job.attempts, state = state.as_str(), outcome = ?outcome, "job ran");
            }
            Ok(None) => {
                tracing::warn!(job_id = %job.id, kind = %job.kind, "job lease expired before it finished; another worker holds it now");
            }
            Err(e) => {
                // The lease runs out and the job is claimed again; it is idempotent.
                tracing::error!(job_id = %job.id, kind = %job.kind, error = %e, "recording a job outcome failed");
            }
        }
    }

    /// Starts the background runner: looks for due jobs when woken and every `poll`, runs up
    /// to `concurrency` at a time.
    pub fn start_job_runner(&self, concurrency: usize, poll: Duration) -> JobRunner {
        let (stop, stopped) = watch::channel(false);
        let app = self.clone();
        let handle = tokio::spawn(run_loop(app, concurrency.max(1), poll, stopped));
        JobRunner { stop, handle }
    }
}

/// A running job runner; [`JobRunner::shutdown`] stops it gracefully.
pub struct JobRunner {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl JobRunner {
    /// Claims nothing new, waits for the jobs in flight to finish, then returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.handle.await {
            tracing::error!(error = %e, "the job runner ended abnormally");
        }
    }
}

async fn run_loop(
    app: App,
    concurrency: usize,
    poll: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut in_flight: JoinSet<()> = JoinSet::new();
    let mut last_prune: Option<std::time::Instant> = None;
    let mut last_offer: Option<std::time::Instant> = None;
    let mut last_fold: Option<std::time::Instant> = None;
    tracing::info!(
        concurrency,
        poll_ms = poll.as_millis(),
        "job runner started"
    );
    loop {
        if *stopped.borrow() {
            break;
        }
        if last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            last_prune = Some(std::time::Instant::now());
            app.prune_housekeeping().await;
        }
        if last_offer.is_none_or(|at| at.elapsed() >= OFFER_EVERY) {
            last_offer = Some(std::time::Instant::now());
            if let Err(e) = app.offer_call_reconciliation().await {
                tracing::warn!(error = %e, "offering the call reconciliation failed");
            }
        }
        if last_fold.is_none_or(|at| at.elapsed() >= FOLD_EVERY) {
            last_fold = Some(std::time::Instant::now());
            app.fold_analytics().await;
        }
        while in_flight.try_join_next().is_some() {}
        let free = concurrency.saturating_sub(in_flight.len());
        if free > 0 {
            let limit = u32::try_from(free).unwrap_or(u32::MAX);
            match app.store.claim_jobs(app.now(), LEASE, limit).await {
                Ok(jobs) => {
                    for job in jobs {
                        let app = app.clone();
                        in_flight.spawn(async move { app.execute_job(job).await });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "claiming jobs failed"),
            }
        }
        // Wait for a reason to look again: a stop, an enqueue, a finished job, or the poll.
        tokio::select! {
            changed = stopped.changed() => {
                // The runner handle was dropped without a shutdown: stop as well.
                if changed.is_err() {
                    break;
                }
            }
            _ = WAKE.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
        }
    }
    let in_flight_count = in_flight.len();
    if in_flight_count > 0 {
        tracing::info!(
            in_flight = in_flight_count,
            "job runner stopping: finishing jobs in flight"
        );
    }
    while in_flight.join_next().await.is_some() {}
    tracing::info!("job runner stopped");
}
