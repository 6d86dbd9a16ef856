//! The periodic reconciliation: every 15 minutes, the last 24 hours of Twilio's call log.
//!
//! Each process's job runner offers the job of the current 15-minute slot
//! ([`App::offer_call_reconciliation`]); the queue's dedupe key makes that one job per slot
//! however many processes offer it, and claims make exactly one of them run it.

use super::reconcile::RunLimits;
use crate::jobs::{JobKind, JobOutcome};
use crate::{App, AppError, AppResult};
use djcalls_store::DbTime;
use djcalls_store::jobs::Job;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How often the call log is reconciled.
pub const RECONCILE_EVERY: SignedDuration = SignedDuration::from_mins(15);
/// How far back each run looks.
pub const RECONCILE_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// A run starts no new number after this long, well inside the job's lease
/// (`jobs::LEASE`), so no other worker takes the job over while it runs.
const RUN_BUDGET: Duration = Duration::from_secs(80);

/// Reconcile the `RECONCILE_WINDOW` before `slot` (the start of a 15-minute slot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileCalls {
    pub slot: Timestamp,
}

impl ReconcileCalls {
    /// The job of the slot `now` falls in.
    pub fn for_slot_of(now: Timestamp) -> ReconcileCalls {
        let every = RECONCILE_EVERY.as_secs();
        let secs = now.as_second();
        let start = secs - secs.rem_euclid(every);
        ReconcileCalls {
            slot: Timestamp::from_second(start).unwrap_or(now),
        }
    }

    /// Which slot this is, counted from the epoch (rotates the numbers a run starts with).
    fn ordinal(&self) -> usize {
        let ordinal = self.slot.as_second() / RECONCILE_EVERY.as_secs();
        usize::try_from(ordinal).unwrap_or_default()
    }
}

impl JobKind for ReconcileCalls {
    const KIND: &'static str = "reconcile_calls";
    const MAX_ATTEMPTS: i32 = 3;

    fn dedupe_key(&self) -> String {
        format!("reconcile_calls:{}", self.slot)
    }

    async fn run(self, app: &App, _job: &Job) -> JobOutcome {
        let since = self.slot - RECONCILE_WINDOW;
        let limits = RunLimits {
            budget: RUN_BUDGET,
            first: self.ordinal(),
        };
        match app.reconcile_calls_within(since, Some(limits)).await {
            Ok(report) => {
                tracing::info!(
                    slot = %self.slot,
                    numbers = report.numbers,
                    listed = report.listed,
                    recorded = report.recorded,
                    known = report.known,
                    unfinished = report.unfinished,
                    deferred_numbers = report.deferred_numbers,
                    "reconciled Twilio's call log"
                );
                JobOutcome::Done
            }
            Err(e) => JobOutcome::Retry(describe(&e)),
        }
    }
}

/// A short reason for the admin console: Twilio failures say what went wrong in our words;
/// other causes are in the log.
fn describe(e: &AppError) -> String {
    match e {
        AppError::Unavailable(reason) => (*reason).to_string(),
        other => format!("reconciliation failed: {other}"),
    }
}

impl App {
    /// Queues the reconciliation of the current 15-minute slot unless it is queued already
    /// (by this process or another); `true` when this call queued it. Nothing when
    /// reconciliation is off (simulated telephony).
    pub async fn offer_call_reconciliation(&self) -> AppResult<bool> {
        if !self.settings.reconcile_calls {
            return Ok(false);
        }
        let now = self.now();
        let job = ReconcileCalls::for_slot_of(now.0);
        let row = job
            .to_new_job(None, DbTime(job.slot))
            .map_err(AppError::internal)?;
        Ok(self.store.enqueue_job(&row, now).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    #[test]
    fn instants_in_one_quarter_hour_share_one_job() {
        let a = ReconcileCalls::for_slot_of(at("2026-06-15T16:15:00Z"));
        let b = ReconcileCalls::for_slot_of(at("2026-06-15T16:29:59Z"));
        let c = ReconcileCalls::for_slot_of(at("2026-06-15T16:30:00Z"));
        assert_eq!(a, b);
        assert_eq!(a.slot, at("2026-06-15T16:15:00Z"));
        assert_eq!(a.dedupe_key(), "reconcile_calls:2026-06-15T16:15:00Z");
        assert_ne!(a.dedupe_key(), c.dedupe_key());
        assert_eq!(c.ordinal(), a.ordinal() + 1);
    }
}
