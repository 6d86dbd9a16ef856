//! The history of numbers given to DJs (`number_assignments`): one row per assignment, written
//! in the transaction that assigns, so the limit on new numbers per DJ (SPEC §11) is counted
//! in the database and holds across processes.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId};

/// `$1` id, `$2` DJ, `$3` number, `$4` assigned at.
pub(super) const RECORD_ASSIGNMENT: &str = "INSERT INTO number_assignments \
     (id, dj_profile_id, virtual_number, assigned_at) VALUES ($1, $2, $3, $4)";

impl Store {
    /// The numbers `dj` got: when they got their first ever (`None`: never), and every
    /// assignment after `since`, oldest first (the first one included when it is that recent).
    pub async fn assignments_since(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        since: DbTime,
    ) -> StoreResult<(Option<DbTime>, Vec<DbTime>)> {
        Ok(in_tx!(self, actor, read, |conn| {
            let first = sqlx::query_scalar::<_, DbTime>(
                "SELECT assigned_at FROM number_assignments WHERE dj_profile_id = $1 \
                 ORDER BY assigned_at, id LIMIT 1",
            )
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?;
            let recent = sqlx::query_scalar::<_, DbTime>(
                "SELECT assigned_at FROM number_assignments \
                 WHERE dj_profile_id = $1 AND assigned_at > $2 ORDER BY assigned_at, id",
            )
            .bind(dj.0)
            .bind(since)
            .fetch_all(&mut *conn)
            .await?;
            (first, recent)
        }))
    }
}

impl Store {
    /// Whether `e164` is one of the pool's numbers (in any state but given back to Twilio):
    /// never a forwarding destination.
    pub async fn is_pool_number(&self, e164: &str) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(count(*) AS BIGINT) FROM dj_virtual_numbers \
                 WHERE virtual_number = $1 AND state <> 'released'",
            )
            .bind(e164)
            .fetch_one(&mut *conn)
            .await?
                > 0
        }))
    }
}
