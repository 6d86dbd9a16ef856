//! The public numbers in memory (issue 9 part 5): every profile page view asks
//! `GET /api/djdash/dni`, so its answer comes from a map of every DJ's active number instead of
//! a query per request.
//!
//! Exact, not merely recent: every change to a DJ's number made through any process ends in
//! `App::reroute`, which drops this process's map ([`PublicNumbers::invalidate`]) and, on
//! PostgreSQL, tells the other processes (`NUMBERS_CHANNEL`), whose relays drop theirs. The map
//! is only trusted while such news can reach it: always on SQLite (one process writes numbers),
//! on PostgreSQL only while this process's relay listens — otherwise (no relay, as in the CLI,
//! or its connection lost) every request reads the database as before. A map older than
//! [`MAX_AGE`] is reloaded regardless, a backstop for a notification lost in a crash between a
//! commit and its notify.
//!
//! A load that raced an invalidation is not kept: each invalidation bumps a generation, and a
//! load only installs its answer if the generation it started under is still current.

use djcalls_domain::DjProfileId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The longest a loaded map is used without a reload.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// Every DJ's active virtual number (E.164), by profile.
pub type NumberMap = HashMap<DjProfileId, String>;

#[derive(Debug)]
pub struct PublicNumbers {
    loaded: RwLock<Option<Loaded>>,
    generation: AtomicU64,
    /// Whether changes made by other processes reach this one.
    hears_changes: AtomicBool,
    /// One load at a time: a burst of requests on an empty map waits for one query.
    loading: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Loaded {
    generation: u64,
    at: Instant,
    numbers: Arc<NumberMap>,
}

impl PublicNumbers {
    /// `hears_changes`: true when no other process can change numbers unheard (SQLite).
    pub fn new(hears_changes: bool) -> PublicNumbers {
        PublicNumbers {
            loaded: RwLock::new(None),
            generation: AtomicU64::new(0),
            hears_changes: AtomicBool::new(hears_changes),
            loading: tokio::sync::Mutex::new(()),
        }
    }

    /// The map, when it may be used now.
    pub fn current(&self) -> Option<Arc<NumberMap>> {
        if !self.hears_changes.load(Ordering::Acquire) {
            return None;
        }
        let generation = self.generation.load(Ordering::Acquire);
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        loaded
            .as_ref()
            .filter(|l| l.generation == generation && l.at.elapsed() < MAX_AGE)
            .map(|l| Arc::clone(&l.numbers))
    }

    /// Whether a loaded map would be used (see the module docs).
    pub fn is_trusted(&self) -> bool {
        self.hears_changes.load(Ordering::Acquire)
    }

    /// Serialises loads; hold the guard across [`PublicNumbers::generation`], the query and
    /// [`PublicNumbers::install`].
    pub async fn load_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.loading.lock().await
    }

    /// The generation a load starts under.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `numbers`, loaded under `generation`, unless an invalidation came meanwhile.
    /// Returns the map either way, for the request that loaded it.
    pub fn install(&self, generation: u64, numbers: NumberMap) -> Arc<NumberMap> {
        let numbers = Arc::new(numbers);
        let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            *loaded = Some(Loaded {
                generation,
                at: Instant::now(),
                numbers: Arc::clone(&numbers),
            });
        }
        numbers
    }

    /// A number changed somewhere: the next request reads the database.
    pub fn invalidate(&self) {
        let _loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether other processes' changes reach this one now (the relay listens, or stopped
    /// listening). Either way what is loaded may have missed something: it is dropped.
    pub fn set_hears_changes(&self, hears: bool) {
        self.hears_changes.store(hears, Ordering::Release);
        self.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn map(n: u128) -> NumberMap {
        HashMap::from([(DjProfileId(Uuid::from_u128(n)), format!("+1415555{n:04}"))])
    }

    #[test]
    fn a_loaded_map_serves_until_invalidated() {
        let cache = PublicNumbers::new(true);
        assert!(cache.current().is_none());
        let generation = cache.generation();
        cache.install(generation, map(1));
        assert_eq!(cache.current().as_deref(), Some(&map(1)));
        cache.invalidate();
        assert!(cache.current().is_none());
    }

    #[test]
    fn a_load_that_raced_an_invalidation_is_not_kept() {
        let cache = PublicNumbers::new(true);
        let generation = cache.generation();
        cache.invalidate(); // A change lands while the query runs.
        let answered = cache.install(generation, map(1));
        assert_eq!(*answered, map(1));
        assert!(cache.current().is_none());
    }

    #[test]
    fn nothing_is_trusted_while_other_processes_changes_go_unheard() {
        let cache = PublicNumbers::new(false);
        let generation = cache.generation();
        cache.install(generation, map(1));
        assert!(cache.current().is_none());
        cache.set_hears_changes(true);
        assert!(
            cache.current().is_none(),
            "what was loaded unheard is dropped"
        );
        let generation = cache.generation();
        cache.install(generation, map(2));
        assert_eq!(cache.current().as_deref(), Some(&map(2)));
        cache.set_hears_changes(false);
        assert!(cache.current().is_none());
    }
}
