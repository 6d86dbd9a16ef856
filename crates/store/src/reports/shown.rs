//! `numbers_shown`: how many DNI answers included each DJ's number, per UTC quarter-hour.
//! The HTTP layer counts in memory and adds its counts here in batches (`app::reports::shown`).

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId};

/// One DJ's count in one quarter-hour (`bucket`: its first instant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShownCount {
    pub dj_profile_id: DjProfileId,
    pub bucket: DbTime,
    pub shown: i64,
}

/// Adds to the bucket's count; a profile deleted meanwhile is skipped, not an error.
const ADD: &str = "INSERT INTO numbers_shown (dj_profile_id, bucket, shown) \
     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM dj_profiles WHERE id = $1) \
     ON CONFLICT (dj_profile_id, bucket) DO UPDATE SET shown = numbers_shown.shown + excluded.shown";

impl Store {
    /// Adds every count in one transaction (as the system: the counts are the service's own).
    pub async fn add_numbers_shown(&self, counts: &[ShownCount]) -> StoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        in_tx!(self, &Actor::System, write, |conn| {
            for c in counts {
                sqlx::query(ADD)
                    .bind(c.dj_profile_id.0)
                    .bind(c.bucket)
                    .bind(c.shown)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        Ok(())
    }
}
