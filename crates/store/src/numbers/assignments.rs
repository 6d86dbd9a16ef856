//! Forwarding safety's lookup of the pool (SPEC §11).

use crate::{Store, StoreResult};
use djcalls_domain::Actor;

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
