//! "Numbers shown" (SPEC §15 funnel): every `GET /api/djdash/dni` answer counts one per DJ
//! whose number it included. The public endpoint must not pay for this, so a count is an
//! increment in memory (one uncontended lock of one of `SHARDS` maps, nothing awaited) and
//! the counts go to the database in batches: every `FLUSH_EVERY` (`App::start_shown_flusher`),
//! at shutdown (`App::close`) and when a test asks (`App::flush_numbers_shown`). A count is
//! kept under the UTC quarter-hour it happened in (every zone offset in use is a multiple of
//! 15 minutes, so any zone's day boundaries fall on bucket boundaries). A process that dies
//! without shutting down loses at most its last few seconds of counts.

use crate::App;
use djcalls_domain::DjProfileId;
use djcalls_store::DbTime;
use djcalls_store::reports::ShownCount;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);
/// The bucket width.
pub const BUCKET_MICROS: i64 = 15 * 60 * 1_000_000;
const SHARDS: usize = 16;

type Counts = HashMap<(DjProfileId, i64), i64>;

/// Counts not yet written, per (DJ, quarter-hour start in µs).
#[derive(Default)]
pub struct ShownCounter {
    shards: [Mutex<Counts>; SHARDS],
}

impl ShownCounter {
    fn add(&self, dj: DjProfileId, bucket: i64) {
        let shard = usize::from(dj.0.as_bytes()[15]) % SHARDS;
        let mut counts = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry((dj, bucket)).or_insert(0) += 1;
    }

    fn take(&self) -> Counts {
        let mut all = Counts::new();
        for shard in &self.shards {
            let taken = std::mem::take(&mut *shard.lock().unwrap_or_else(|e| e.into_inner()));
            for (key, n) in taken {
                *all.entry(key).or_insert(0) += n;
            }
        }
        all
    }

    fn put_back(&self, counts: Counts) {
        for ((dj, bucket), n) in counts {
            let shard = usize::from(dj.0.as_bytes()[15]) % SHARDS;
            let mut shard = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
            *shard.entry((dj, bucket)).or_insert(0) += n;
        }
    }
}

/// The periodic flush; `shutdown` stops it after one last flush.
pub struct ShownFlusher {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ShownFlusher {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl App {
    /// Counts one showing of each DJ's number (the DNI handler, per answer). Never waits.
    pub fn count_numbers_shown(&self, djs: impl IntoIterator<Item = DjProfileId>) {
        let micros = self.clock.now().as_microsecond();
        let bucket = micros - micros.rem_euclid(BUCKET_MICROS);
        for dj in djs {
            self.numbers_shown.add(dj, bucket);
        }
    }

    /// Writes the counts kept in memory; on failure they are kept for the next flush.
    pub async fn flush_numbers_shown(&self) -> crate::AppResult<()> {
        let counts = self.numbers_shown.take();
        if counts.is_empty() {
            return Ok(());
        }
        let rows: Vec<ShownCount> = counts
            .iter()
            .filter_map(|(&(dj, bucket), &shown)| {
                let at = jiff::Timestamp::from_microsecond(bucket).ok()?;
                Some(ShownCount {
                    dj_profile_id: dj,
                    bucket: DbTime(at),
                    shown,
                })
            })
            .collect();
        if let Err(e) = self.store.add_numbers_shown(&rows).await {
            self.numbers_shown.put_back(counts);
            return Err(e.into());
        }
        Ok(())
    }

    /// Flushes every `FLUSH_EVERY` until shut down (then once more).
    pub fn start_shown_flusher(&self) -> ShownFlusher {
        let (stop, mut stopped) = watch::channel(false);
        let app = self.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                if let Err(e) = app.flush_numbers_shown().await {
                    tracing::warn!(error = %e, "could not write the DNI counts; kept for the next flush");
                }
            }
            if let Err(e) = app.flush_numbers_shown().await {
                tracing::warn!(error = %e, "could not write the DNI counts at shutdown");
            }
        });
        ShownFlusher { stop, task }
    }
}
