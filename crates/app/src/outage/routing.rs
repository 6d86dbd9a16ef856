//! The routing table in memory: which DJ (name, real number) each virtual number forwards to,
//! so `incoming` can connect a caller when the database cannot answer. Loaded in full at start
//! and at least every 60 s by `serve`'s upkeep, updated for a DJ right after every change made
//! through this process, and for a number by every `incoming` the database answered (the
//! freshest routing there is).

use crate::App;
use djcalls_domain::DjProfileId;
use djcalls_store::numbers::VirtualNumber;
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Debug, Default)]
pub struct RoutingTable {
    by_number: RwLock<HashMap<String, VirtualNumber>>,
    /// What the snapshot on disk holds, once written by this process.
    saved: std::sync::Mutex<Option<Vec<VirtualNumber>>>,
}

impl RoutingTable {
    /// Where a call to `e164` goes, as last known.
    pub fn lookup(&self, e164: &str) -> Option<VirtualNumber> {
        self.read().get(e164).cloned()
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole table, as the database has it now.
    fn replace_all(&self, numbers: Vec<VirtualNumber>) {
        let table = numbers
            .into_iter()
            .map(|n| (n.virtual_number.clone(), n))
            .collect();
        *self.write() = table;
    }

    fn all(&self) -> Vec<VirtualNumber> {
        let mut numbers: Vec<VirtualNumber> = self.read().values().cloned().collect();
        numbers.sort_by(|a, b| a.virtual_number.cmp(&b.virtual_number));
        numbers
    }

    /// One DJ's entry: `number` is the DJ's active number now, or `None` when they have none.
    fn set_dj(&self, dj: DjProfileId, number: Option<VirtualNumber>) {
        let mut table = self.write();
        table.retain(|_, n| n.dj_profile_id != dj);
        if let Some(number) = number {
            table.insert(number.virtual_number.clone(), number);
        }
    }

    /// What the database just answered for a call to `e164`.
    pub(crate) fn remember(&self, e164: &str, routed: Option<&VirtualNumber>) {
        let known = self.read().get(e164) == routed;
        if known {
            return;
        }
        let mut table = self.write();
        match routed {
            Some(number) => {
                table.insert(e164.to_string(), number.clone());
            }
            None => {
                table.remove(e164);
            }
        }
    }

    fn saved(&self) -> std::sync::MutexGuard<'_, Option<Vec<VirtualNumber>>> {
        self.saved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, VirtualNumber>> {
        self.by_number
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, VirtualNumber>> {
        self.by_number
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What `routing.json` holds: the numbers, and which database they are of (a spool directory
/// reused for another database must not route its calls).
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot {
    database: String,
    numbers: Vec<VirtualNumber>,
}

/// The spool directory's side file with the last routing table loaded: where a process that
/// starts while the database is away routes calls from.
pub const ROUTING_SNAPSHOT: &str = "routing.json";

impl App {
    /// Loads the whole routing table from the database; returns how many numbers route. A
    /// table that changed is also saved beside the spool ([`ROUTING_SNAPSHOT`]).
    pub async fn refresh_routing(&self) -> crate::AppResult<usize> {
        let numbers = self.store.active_numbers().await?;
        let count = numbers.len();
        self.routing.replace_all(numbers);
        self.save_routing_snapshot().await;
        Ok(count)
    }

    /// Writes the table beside the spool when it differs from what was written last. Best
    /// effort: a snapshot that cannot be written only matters to a start during an outage, and
    /// the error names the path.
    async fn save_routing_snapshot(&self) {
        // Only a PostgreSQL process can start while its database is away (SQLite is a file).
        if !self.store.is_shared() {
            return;
        }
        let numbers = self.routing.all();
        if self.routing.saved().as_ref() == Some(&numbers) {
            return;
        }
        let snapshot = Snapshot {
            database: self.store.identity().to_string(),
            numbers: numbers.clone(),
        };
        let bytes = match serde_json::to_vec(&snapshot) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(error = %e, "could not encode the routing snapshot");
                return;
            }
        };
        let files = self.spool.files();
        match super::spool::blocking(move || files.keep(ROUTING_SNAPSHOT, &bytes)).await {
            Ok(()) => *self.routing.saved() = Some(numbers),
            Err(e) => {
                tracing::warn!(path = %e.path.display(), error = %e.source, "could not save the routing snapshot")
            }
        }
    }

    /// For a start while the database is away: the routing table as last saved. `None` when
    /// no snapshot exists; `Err` when it cannot be read.
    pub async fn load_routing_snapshot(&self) -> crate::AppResult<Option<usize>> {
        let files = self.spool.files();
        let Some(bytes) = super::spool::blocking(move || files.kept(ROUTING_SNAPSHOT))
            .await
            .map_err(crate::AppError::internal)?
        else {
            return Ok(None);
        };
        let snapshot: Snapshot =
            serde_json::from_slice(&bytes).map_err(crate::AppError::internal)?;
        if snapshot.database != self.store.identity() {
            return Err(crate::AppError::invalid(
                "routing snapshot",
                format!(
                    "is of another database ({}, not {})",
                    snapshot.database,
                    self.store.identity()
                ),
            ));
        }
        let count = snapshot.numbers.len();
        self.routing.replace_all(snapshot.numbers);
        Ok(Some(count))
    }

    /// After a change to `dj`'s number, forwarding number or name made through this process:
    /// their routing entry as the database has it now, and every process's public numbers
    /// dropped (`App::public_numbers_changed`). A failure leaves the entry to the next
    /// full refresh (at most 60 s away).
    pub(crate) async fn reroute(&self, dj: DjProfileId) {
        self.public_numbers_changed().await;
        match self.store.active_number_of(dj).await {
            Ok(number) => {
                self.routing.set_dj(dj, number);
                self.save_routing_snapshot().await;
            }
            Err(e) => {
                tracing::warn!(dj_profile_id = %dj, error = %e, "could not refresh a DJ's routing; the next full refresh will")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn number(dj: u128, virtual_number: &str, real: &str) -> VirtualNumber {
        VirtualNumber {
            dj_profile_id: DjProfileId(Uuid::from_u128(dj)),
            virtual_number: virtual_number.to_string(),
            real_phone_number: real.to_string(),
            dj_name: format!("DJ {dj}"),
            dj_slug: format!("dj-{dj}"),
        }
    }

    #[test]
    fn a_djs_new_number_replaces_their_old_one() {
        let table = RoutingTable::default();
        table.replace_all(vec![
            number(1, "+12125550100", "+12125550142"),
            number(2, "+12125550101", "+12125550143"),
        ]);
        table.set_dj(
            DjProfileId(Uuid::from_u128(1)),
            Some(number(1, "+12125550102", "+12125550199")),
        );
        assert_eq!(table.lookup("+12125550100"), None);
        assert_eq!(
            table.lookup("+12125550102").map(|n| n.real_phone_number),
            Some("+12125550199".to_string())
        );
        table.set_dj(DjProfileId(Uuid::from_u128(2)), None);
        assert_eq!(table.lookup("+12125550101"), None);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn what_the_database_answered_for_a_call_is_remembered() {
        let table = RoutingTable::default();
        let routed = number(3, "+12125550103", "+12125550144");
        table.remember("+12125550103", Some(&routed));
        assert_eq!(table.lookup("+12125550103"), Some(routed));
        table.remember("+12125550103", None);
        assert!(table.is_empty());
    }
}
