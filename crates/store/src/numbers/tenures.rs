//! Which DJ had which virtual number when: the numbers whose calls reconciliation looks for
//! in Twilio's call log, each with the span in which its calls belong to its DJ.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId};
use uuid::Uuid;

/// A DJ's time with a virtual number: from `assigned_at`, until `released_at` when the number
/// has been released since (it is cooling), or still going.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct NumberTenure {
    #[sqlx(try_from = "Uuid")]
    pub dj_profile_id: DjProfileId,
    /// E.164.
    pub virtual_number: String,
    pub assigned_at: DbTime,
    pub released_at: Option<DbTime>,
}

impl NumberTenure {
    /// Whether a call that started at `at` reached this DJ through the number.
    pub fn covers(&self, at: DbTime) -> bool {
        at >= self.assigned_at && self.released_at.is_none_or(|end| at < end)
    }
}

impl Store {
    /// Tenures that were going on at some point since `since`: numbers assigned now, and
    /// numbers released into cooling after `since` (a cooling number keeps its last DJ).
    /// Numbers given back to Twilio no longer say whose they were and are left out. Runs as
    /// the system.
    pub async fn number_tenures_since(&self, since: DbTime) -> StoreResult<Vec<NumberTenure>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, NumberTenure>(
                "SELECT dj_profile_id, virtual_number, assigned_at, \
                 CASE WHEN state = 'cooling' THEN released_at END AS released_at \
                 FROM dj_virtual_numbers \
                 WHERE dj_profile_id IS NOT NULL AND assigned_at IS NOT NULL \
                 AND (state = 'assigned' OR (state = 'cooling' AND released_at > $1)) \
                 ORDER BY virtual_number",
            )
            .bind(since)
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
