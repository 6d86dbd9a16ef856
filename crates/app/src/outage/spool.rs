//! Voice webhooks kept on the local disk while the database is away (`DJCALLS_SPOOL_DIR`),
//! and their replay, in order, once it answers again.
//!
//! An entry is the delivery as the webhook handler understood it: the call, the delivery's
//! dedupe key, the typed event and when it arrived. Replaying it is exactly what the handler
//! would have done with the database up, with the original arrival time, so the call's events
//! sort as they happened. Replay is safe to repeat: the dedupe key makes a delivery count once,
//! so an entry applied and not yet removed when the process died is harmless the second time.

use crate::{App, AppError, AppResult};
use djcalls_domain::voice::VoiceEvent;
use djcalls_spool::{Entry, Spool, SpoolError};
use djcalls_store::DbTime;
use djcalls_telephony::CallSid;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Applying an entry failed this often, with the database answering: it is set aside.
const ATTEMPTS_BEFORE_SETTING_ASIDE: u32 = 3;

/// Which door of the voice pipeline a delivery came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    /// The number's Voice URL (`incoming`): also creates the call's row.
    Incoming,
    /// Every other voice webhook (dial outcome, status, recording, transcription).
    Event,
}

/// One spooled delivery (format 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpooledDelivery {
    pub format: u8,
    pub door: Door,
    pub call_sid: String,
    pub delivery_key: String,
    pub event: VoiceEvent,
    pub received_at: jiff::Timestamp,
}

const FORMAT: u8 = 1;

/// The spool and what replay remembers between rounds.
#[derive(Debug)]
pub struct VoiceSpool {
    spool: Arc<Spool>,
    /// Failed attempts per entry name, for entries that fail while the database answers.
    failures: Mutex<HashMap<String, u32>>,
    /// One replay at a time in this process.
    replaying: tokio::sync::Mutex<()>,
}

impl VoiceSpool {
    pub fn new(dir: &Path) -> VoiceSpool {
        VoiceSpool {
            spool: Arc::new(Spool::new(dir)),
            failures: Mutex::default(),
            replaying: tokio::sync::Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        self.spool.dir()
    }

    /// The spool directory's files (for the routing snapshot beside the entries).
    pub(super) fn files(&self) -> Arc<Spool> {
        self.spool.clone()
    }

    /// How many deliveries wait for the database.
    pub async fn pending(&self) -> Result<usize, SpoolError> {
        Ok(self.entries().await?.len())
    }

    async fn entries(&self) -> Result<Vec<Entry>, SpoolError> {
        let spool = self.spool.clone();
        blocking(move || spool.pending()).await
    }

    async fn append(&self, delivery: &SpooledDelivery) -> Result<(), SpoolError> {
        let bytes = serde_json::to_vec(delivery).map_err(|e| SpoolError {
            path: self.dir().to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        let spool = self.spool.clone();
        blocking(move || spool.append(&bytes)).await.map(|_| ())
    }

    fn failed_again(&self, entry: &Entry) -> u32 {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = failures.entry(entry.name().to_string()).or_default();
        *count += 1;
        *count
    }

    fn forget(&self, entry: &Entry) {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(entry.name());
    }
}

pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SpoolError> + Send + 'static,
) -> Result<T, SpoolError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(SpoolError {
            path: std::path::PathBuf::new(),
            source: std::io::Error::other(e),
        })
    })
}

/// What a replay round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    pub applied: usize,
    /// Moved into `rejected/` (unreadable, or failing while the database answers).
    pub set_aside: usize,
    /// Still waiting: the database went away again during the round.
    pub remaining: usize,
}

impl App {
    /// Keeps a voice delivery the database could not take; `Err` (already logged, naming the
    /// path) when the spool cannot be written either.
    pub(crate) async fn spool_delivery(
        &self,
        door: Door,
        call_sid: &CallSid,
        delivery_key: &str,
        event: &VoiceEvent,
        received_at: DbTime,
    ) -> Result<(), SpoolError> {
        let delivery = SpooledDelivery {
            format: FORMAT,
            door,
            call_sid: call_sid.as_str().to_string(),
            delivery_key: delivery_key.to_string(),
            event: event.clone(),
            received_at: received_at.0,
        };
        let spooled = self.spool.append(&delivery).await;
        match &spooled {
            Ok(()) => {
                metrics::counter!("djcalls_spooled_deliveries_total").increment(1);
                tracing::warn!(call_sid = %call_sid, door = ?door, "the database is unavailable: the delivery is spooled and will be applied when it is back");
            }
            Err(e) => tracing::error!(
                call_sid = %call_sid,
                path = %e.path.display(),
                error = %e.source,
                "the database is unavailable and the spool cannot be written: this delivery is lost"
            ),
        }
        spooled
    }

    /// Applies the spooled deliveries, oldest first, removing each once it is in the database.
    /// Stops at the first sign the database is away again (the rest wait for the next round).
    pub async fn replay_spool(&self) -> AppResult<ReplayReport> {
        let _turn = self.spool.replaying.lock().await;
        let entries = self.spool.entries().await.map_err(AppError::internal)?;
        let mut report = ReplayReport::default();
        for (index, entry) in entries.iter().enumerate() {
            let spool = self.spool.spool.clone();
            let read = entry.clone();
            let bytes = match blocking(move || spool.read(&read)).await {
                Ok(bytes) => bytes,
                // Applied and removed by another process sharing the directory.
                Err(e) if e.source.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(AppError::internal(e)),
            };
            let delivery = match decode(&bytes) {
                Ok(delivery) => delivery,
                Err(why) => {
                    self.set_aside(entry, &why).await;
                    report.set_aside += 1;
                    continue;
                }
            };
            match self.apply_spooled(&delivery).await {
                Ok(()) => {
                    self.spool.forget(entry);
                    let spool = self.spool.spool.clone();
                    let done = entry.clone();
                    blocking(move || spool.remove(&done))
                        .await
                        .map_err(AppError::internal)?;
                    report.applied += 1;
                }
                Err(AppError::DatabaseUnavailable(e)) => {
                    tracing::info!(error = %e, "the database is still unavailable; spooled deliveries wait");
                    report.remaining = entries.len() - index;
                    break;
                }
                Err(e) if self.spool.failed_again(entry) >= ATTEMPTS_BEFORE_SETTING_ASIDE => {
                    self.set_aside(entry, &e.to_string()).await;
                    report.set_aside += 1;
                }
                Err(e) => {
                    tracing::warn!(entry = %entry.path().display(), error = %e, "a spooled delivery failed; retrying later");
                    report.remaining = entries.len() - index;
                    break;
                }
            }
        }
        if report.applied > 0 {
            tracing::info!(
                applied = report.applied,
                remaining = report.remaining,
                "applied spooled voice deliveries"
            );
        }
        Ok(report)
    }

    async fn apply_spooled(&self, delivery: &SpooledDelivery) -> AppResult<()> {
        let call_sid = CallSid::parse(&delivery.call_sid)
            .ok_or_else(|| AppError::invalid("call_sid", "is not a Twilio call SID"))?;
        let at = DbTime(delivery.received_at);
        match delivery.door {
            Door::Incoming => {
                self.record_incoming_at(&call_sid, &delivery.delivery_key, &delivery.event, at)
                    .await?;
            }
            Door::Event => {
                self.record_voice(&call_sid, &delivery.delivery_key, &delivery.event, at)
                    .await?;
            }
        }
        Ok(())
    }

    async fn set_aside(&self, entry: &Entry, why: &str) {
        let spool = self.spool.spool.clone();
        let moving = entry.clone();
        match blocking(move || spool.set_aside(&moving)).await {
            Ok(to) => {
                tracing::error!(entry = %to.display(), reason = why, "a spooled delivery cannot be applied; it was moved aside for a person to look at")
            }
            Err(e) => {
                tracing::error!(entry = %entry.path().display(), reason = why, error = %e, "a spooled delivery cannot be applied nor moved aside")
            }
        }
        self.spool.forget(entry);
    }

    /// The spool, for `serve`'s upkeep and the tests.
    pub fn voice_spool(&self) -> &VoiceSpool {
        &self.spool
    }
}

fn decode(bytes: &[u8]) -> Result<SpooledDelivery, String> {
    let delivery: SpooledDelivery =
        serde_json::from_slice(bytes).map_err(|e| format!("unreadable entry: {e}"))?;
    if delivery.format != FORMAT {
        return Err(format!("unknown entry format {}", delivery.format));
    }
    Ok(delivery)
}
