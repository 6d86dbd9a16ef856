//! Calls connect through database outages (SPEC §10).
//!
//! When the database cannot be reached or a write fails, the voice webhooks still answer within
//! [`VOICE_DEADLINE`]: `incoming` forwards to the DJ from the routing table in memory
//! (`routing.rs`), `<Dial action>` hangs up or offers voicemail from the dial outcome alone,
//! and every delivery is kept in the local spool (`spool.rs`) before it is acknowledged. The
//! upkeep below, run by `serve`, reloads the routing table every 30 s and applies the spool in
//! order as soon as the database answers again — at start-up too, so a process restarted
//! during an outage loses nothing.

mod routing;
mod spool;

pub use routing::{ROUTING_SNAPSHOT, RoutingTable};
pub use spool::{Door, ReplayReport, SpooledDelivery, VoiceSpool};

use crate::App;
use std::time::Duration;
use tokio::sync::watch;

/// The longest a caller waits on the database before being connected from memory. Twilio
/// waits 15 s for a Voice URL; the caller hears silence meanwhile, and SPEC §10 says 3 s.
pub const VOICE_DEADLINE: Duration = Duration::from_secs(2);

/// How often the whole routing table is reloaded (SPEC §10: at least every 60 s).
pub const ROUTING_REFRESH: Duration = Duration::from_secs(30);

/// How often the spool directory is looked at for deliveries to apply.
pub const REPLAY_EVERY: Duration = Duration::from_secs(1);

/// The running upkeep; [`Upkeep::shutdown`] stops it.
pub struct Upkeep {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Upkeep {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "an outage upkeep task ended abnormally");
            }
        }
    }
}

impl App {
    /// Starts reloading the routing table (now, then every [`ROUTING_REFRESH`]) and applying
    /// the spool and projecting accepted `incoming` deliveries (now, then every
    /// [`REPLAY_EVERY`]).
    pub fn start_outage_upkeep(&self) -> Upkeep {
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(every(ROUTING_REFRESH, stopped.clone(), {
                let app = self.clone();
                move || {
                    let app = app.clone();
                    async move {
                        match app.refresh_routing().await {
                            Ok(count) => tracing::debug!(count, "routing table reloaded"),
                            Err(e) => {
                                tracing::warn!(error = %e, numbers = app.routing.len(), "could not reload the routing table; calls route as last known")
                            }
                        }
                    }
                }
            })),
            tokio::spawn(every(REPLAY_EVERY, stopped, {
                let app = self.clone();
                move || {
                    let app = app.clone();
                    async move {
                        if let Err(e) = app.replay_spool().await {
                            tracing::error!(error = %e, path = %app.spool.dir().display(), "could not replay the spool");
                        }
                        // Accepted calls left by a process that stopped, or by a failed drain.
                        if let Err(e) = app.project_pending().await {
                            tracing::warn!(error = %e, "could not project accepted incoming calls");
                        }
                    }
                }
            })),
        ];
        Upkeep { stop, tasks }
    }
}

/// Runs `work` now and then every `period` until stopped (a round in progress finishes).
async fn every<F, Fut>(period: Duration, mut stopped: watch::Receiver<bool>, work: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            _ = ticks.tick() => work().await,
        }
    }
}
