//! The calls of accepted `incoming` deliveries (PostgreSQL; `store/src/voice/projection.rs`).
//! `incoming` answers once its delivery is durable; the call row, its contact and the live
//! update follow, projected by this process [`GATHER`] after the delivery is accepted. One
//! drain runs at a time per process; each [`GATHER`] it takes what waits, in batches of up to
//! [`PROJECTION_BATCH`] (at once again only while they come full). `serve` also drains every second ([`crate::outage`]'s upkeep), which projects
//! what a process that stopped left behind.

use crate::{App, AppResult};
use djcalls_store::voice::{IncomingProjected, Projection};
use std::sync::atomic::{AtomicBool, Ordering};

/// Deliveries projected in one transaction at most.
pub const PROJECTION_BATCH: usize = 256;
/// How long a drain lets deliveries gather before it takes them. A projection's fixed cost is
/// shared by all it takes (a backlog projected in batches of 256 went at about 70 µs a call),
/// so short gathers, which make small batches under load, take more of the cores `incoming`
/// needs (`djcalls bench`, 16 connections, on 2 cores: 0.37× the insert ceiling with 10 ms,
/// 0.43× with 100 ms, 0.46× with 200 ms, 0.64× with no projection at all; 0.46× with 100 ms
/// once a drain took one batch per gather). Only the dashboards wait on it, and SPEC §10
/// gives them a second.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// This process's drain: whether one runs, whether more was accepted since it looked, and the
/// turn that keeps projections in this process one at a time.
#[derive(Debug, Default)]
pub(crate) struct Projector {
    running: AtomicBool,
    accepted_since: AtomicBool,
    turn: tokio::sync::Mutex<()>,
}

impl App {
    /// An `incoming` delivery was accepted: project it (and whatever else waits) soon, in the
    /// background. A drain already running sees it before it stops.
    pub(crate) fn project_soon(&self) {
        let projector = &self.projector;
        projector.accepted_since.store(true, Ordering::SeqCst);
        if projector.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            let drain = tokio::spawn({
                let app = app.clone();
                async move { app.drain_projections().await }
            });
            // A drain that panicked never cleared its flag: clear it, so the next accepted
            // delivery starts another (the upkeep projects meanwhile).
            if let Err(e) = drain.await {
                tracing::error!(error = %e, "the projection drain ended abnormally");
                app.projector.running.store(false, Ordering::SeqCst);
            }
        });
    }

    async fn drain_projections(&self) {
        let projector = &self.projector;
        loop {
            tokio::time::sleep(GATHER).await;
            projector.accepted_since.store(false, Ordering::SeqCst);
            if self.store.is_closed() {
                // Shut down meanwhile: what is left waits for the next start or another process.
                projector.running.store(false, Ordering::SeqCst);
                return;
            }
            // What gathered; at once again only while the batches come full (a backlog), so
            // under steady load each batch holds what arrived in a whole GATHER.
            loop {
                match self.project_batch().await {
                    Ok(batch)
                        if batch.claimed == PROJECTION_BATCH && !batch.projected.is_empty() =>
                    {
                        continue;
                    }
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not project accepted incoming calls; the upkeep retries");
                        break;
                    }
                }
            }
            projector.running.store(false, Ordering::SeqCst);
            if !projector.accepted_since.load(Ordering::SeqCst)
                || projector.running.swap(true, Ordering::SeqCst)
            {
                return;
            }
        }
    }

    /// Projects `call_sid`'s accepted `incoming` deliveries now, if any wait (PostgreSQL), for a
    /// delivery that needs the call's row rather than its events.
    pub(crate) async fn project_call(&self, call_sid: &str) -> AppResult<()> {
        if !self.store.projects_incoming() {
            return Ok(());
        }
        let now = self.now();
        let projected = self
            .store
            .project_call_jobs(call_sid, |facts, call, contact| {
                self.jobs_for_call(facts, call, contact, now)
            })
            .await?;
        self.announce_projected(&projected);
        Ok(())
    }

    fn announce_projected(&self, projected: &[IncomingProjected]) {
        for call in projected {
            self.announce_delivery(call.call, true, call.followup_enqueued);
            self.count_contact_of_call(call.contact);
        }
    }

    /// Projects every accepted `incoming` delivery that waits and no other process is
    /// projecting, batch after batch until one is not full (so it ends under steady load too).
    /// Returns how many were projected. The upkeep, `serve`'s shutdown and the tests call it;
    /// on SQLite there is never anything to do.
    pub async fn project_pending(&self) -> AppResult<usize> {
        let mut total = 0;
        loop {
            let batch = self.project_batch().await?;
            total += batch.projected.len();
            // Nothing more waited, or what was taken went to other processes or failed.
            if batch.claimed < PROJECTION_BATCH || batch.projected.is_empty() {
                return Ok(total);
            }
        }
    }

    /// Projects one batch of accepted `incoming` deliveries (this process's projections one at
    /// a time) and announces each call as the general path would have (live update, job
    /// runner, contact count).
    async fn project_batch(&self) -> AppResult<Projection> {
        if !self.store.projects_incoming() {
            return Ok(Projection::default());
        }
        let projection = {
            let _turn = self.projector.turn.lock().await;
            let now = self.now();
            self.store
                .project_incoming_jobs(PROJECTION_BATCH, |facts, call, contact| {
                    self.jobs_for_call(facts, call, contact, now)
                })
                .await?
        };
        self.announce_projected(&projection.projected);
        Ok(projection)
    }
}
