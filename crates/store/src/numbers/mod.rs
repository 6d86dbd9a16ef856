//! Virtual numbers (`dj_virtual_numbers`): the pool's states and the lookups the call flow needs.
//!
//! A number is `available` (in the pool), `assigned` (to one DJ, forwarding to their real
//! number), `cooling` (released from a DJ; it rests until `cooling_until` so callers of the old
//! DJ do not reach a new one), or `released` (given back to Twilio). A cooling number whose
//! `cooling_until` has passed counts as available; nothing needs to sweep it.
//!
//! Claims are race-free on both backends: a candidate is picked, then taken with an `UPDATE`
//! that re-checks its state, and a lost race simply picks again. The unique partial index
//! `dj_virtual_numbers_one_per_dj` makes a second number for the same DJ impossible; the loser
//! of that race gets the winner's number.

mod assignments;
mod claims;
mod pool;
mod purchases;
mod tenures;

pub use tenures::NumberTenure;

use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, DjProfileId};
use uuid::Uuid;

/// The lifecycle state of a pool number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NumberState {
    Available,
    Assigned,
    Cooling,
    Released,
}

impl NumberState {
    pub const ALL: [NumberState; 4] = [
        NumberState::Available,
        NumberState::Assigned,
        NumberState::Cooling,
        NumberState::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NumberState::Available => "available",
            NumberState::Assigned => "assigned",
            NumberState::Cooling => "cooling",
            NumberState::Released => "released",
        }
    }

    pub fn parse(s: &str) -> Option<NumberState> {
        NumberState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// One row of `dj_virtual_numbers`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct NumberRecord {
    pub id: Uuid,
    /// The DJ it is assigned to; a cooling number keeps its last DJ for reference.
    pub dj_profile_id: Option<Uuid>,
    /// E.164.
    pub virtual_number: String,
    /// Set when the pool owns the number at Twilio (only those are reconfigured or released).
    pub twilio_phone_number_sid: Option<String>,
    /// E.164; where calls are forwarded while assigned.
    pub real_phone_number: Option<String>,
    pub is_active: bool,
    pub product_context: String,
    pub state: String,
    pub area_code: Option<String>,
    pub assigned_at: Option<DbTime>,
    pub released_at: Option<DbTime>,
    pub cooling_until: Option<DbTime>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

impl NumberRecord {
    pub fn dj(&self) -> Option<DjProfileId> {
        self.dj_profile_id.map(DjProfileId)
    }

    /// The stored state, with a cooling number whose rest is over counted as available.
    pub fn effective_state(&self, now: DbTime) -> NumberState {
        match NumberState::parse(&self.state) {
            Some(NumberState::Cooling) if self.cooling_until.is_none_or(|until| until <= now) => {
                NumberState::Available
            }
            Some(state) => state,
            None => NumberState::Released,
        }
    }
}

/// The routing facts of every number that forwards calls: assigned, active, with a real
/// number to ring. Callers add `AND …` conditions and an order.
macro_rules! routing_query {
    () => {
        "SELECT n.dj_profile_id, n.virtual_number, n.real_phone_number, p.dj_name, p.dj_slug \
         FROM dj_virtual_numbers n JOIN dj_profiles p ON p.id = n.dj_profile_id \
         WHERE n.state = 'assigned' AND n.is_active AND n.real_phone_number IS NOT NULL"
    };
}

/// What the call flow needs to route a call to a virtual number.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct VirtualNumber {
    #[sqlx(try_from = "Uuid")]
    pub dj_profile_id: DjProfileId,
    /// E.164, the number that was called.
    pub virtual_number: String,
    /// E.164, where the call goes.
    pub real_phone_number: String,
    pub dj_name: String,
    pub dj_slug: String,
}

/// A number bought from Twilio, about to be recorded.
#[derive(Clone, Debug)]
pub struct BoughtNumber {
    /// E.164.
    pub virtual_number: String,
    pub twilio_phone_number_sid: Option<String>,
    pub area_code: Option<String>,
}

/// The outcome of asking for a DJ's number.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// The DJ already had this number (its forwarding number now matches the request).
    Existing(NumberRecord),
    /// This number was just assigned.
    Assigned(NumberRecord),
    /// Nothing in the pool is available.
    Empty,
}

/// The outcome of reserving an on-demand purchase.
#[derive(Clone, Debug, PartialEq)]
pub enum Reservation {
    /// Go ahead and buy; then `complete_purchase` or `fail_purchase` with this id.
    Reserved(Uuid),
    /// The DJ has a number meanwhile.
    Assigned(Box<NumberRecord>),
    /// Another request is buying a number for this DJ right now.
    InFlight,
    /// `max` purchases have been made already.
    CapReached,
}

/// The outcome of starting to give a pool number back to Twilio.
#[derive(Clone, Debug, PartialEq)]
pub enum ReleaseStart {
    /// Marked released; call Twilio, then `undo_release(before)` if that fails.
    Releasing {
        before: Box<NumberRecord>,
        after: Box<NumberRecord>,
    },
    /// Already given back earlier.
    AlreadyReleased(Box<NumberRecord>),
    NotFound,
    /// Assigned to a DJ: release it from the DJ first.
    Assigned,
    /// The pool has no Twilio SID for it, so it is not ours to give back.
    NotOwned,
}

const COLUMNS: &str = "id, dj_profile_id, virtual_number, twilio_phone_number_sid, \
    real_phone_number, is_active, product_context, state, area_code, assigned_at, released_at, \
    cooling_until, created_at, updated_at";

/// How often a claim picks again after losing a race before giving up.
const CLAIM_ATTEMPTS: usize = 50;

/// A pending purchase older than this is taken to have died with its process.
const STALE_PURCHASE_SECONDS: i64 = 600;

impl Store {
    /// The number currently assigned to `dj`, if any.
    pub async fn assigned_number(
        &self,
        actor: &Actor,
        dj: DjProfileId,
    ) -> StoreResult<Option<NumberRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers \
                 WHERE dj_profile_id = $1 AND state = 'assigned'",
            ))
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// The routing facts for a call to `e164`, when it is a DJ's active number. One lookup by
    /// the unique `virtual_number` index; runs as the system (the caller is Twilio).
    pub async fn active_number_by_virtual(&self, e164: &str) -> StoreResult<Option<VirtualNumber>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, VirtualNumber>(concat!(
                routing_query!(),
                " AND n.virtual_number = $1"
            ))
            .bind(e164)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// The routing facts of every DJ's active number, by virtual number (the fallback export
    /// and reconciliation walk them all). Runs as the system.
    pub async fn active_numbers(&self) -> StoreResult<Vec<VirtualNumber>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, VirtualNumber>(concat!(
                routing_query!(),
                " ORDER BY n.virtual_number"
            ))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// The routing facts of `dj`'s active number, if they have one. Runs as the system.
    pub async fn active_number_of(&self, dj: DjProfileId) -> StoreResult<Option<VirtualNumber>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, VirtualNumber>(concat!(
                routing_query!(),
                " AND n.dj_profile_id = $1"
            ))
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// The public facts (DJ, virtual number) of every published DJ's active number: what the
    /// DNI cache holds (`app/src/numbers/public_cache.rs`). An unpublished profile's number is
    /// not shown. Runs as the system: public information.
    pub async fn all_public_numbers(&self) -> StoreResult<Vec<(DjProfileId, String)>> {
        let rows: Vec<(Uuid, String)> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, (Uuid, String)>(
                "SELECT n.dj_profile_id, n.virtual_number FROM dj_virtual_numbers n \
                 JOIN dj_profiles p ON p.id = n.dj_profile_id \
                 WHERE n.state = 'assigned' AND p.is_published",
            )
            .fetch_all(&mut *conn)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(dj, number)| (DjProfileId(dj), number))
            .collect())
    }

    /// The public facts (DJ, virtual number) of the given published DJs' active numbers, in
    /// one query. DJs without one (or unpublished) are simply absent. Runs as the system: this is public information.
    pub async fn public_numbers(
        &self,
        djs: &[DjProfileId],
    ) -> StoreResult<Vec<(DjProfileId, String)>> {
        if djs.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = (1..=djs.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        // Only placeholders are spliced in; the ids themselves are bound.
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT n.dj_profile_id, n.virtual_number FROM dj_virtual_numbers n \
             JOIN dj_profiles p ON p.id = n.dj_profile_id \
             WHERE n.state = 'assigned' AND p.is_published AND n.dj_profile_id IN ({placeholders})"
        ));
        let rows: Vec<(Uuid, String)> = in_tx!(self, &Actor::System, read, |conn| {
            let mut query = sqlx::query_as::<_, (Uuid, String)>(sql);
            for dj in djs {
                query = query.bind(dj.0);
            }
            query.fetch_all(&mut *conn).await?
        });
        Ok(rows
            .into_iter()
            .map(|(dj, number)| (DjProfileId(dj), number))
            .collect())
    }
}

/// Inserts a number; a row for the same number that was given back to Twilio earlier is
/// reused. No row comes back when the number is in the pool in another state.
/// `$1` id, `$2` DJ, `$3` number, `$4` SID, `$5` real number, `$6` active, `$7` state,
/// `$8` area code, `$9` assigned at, `$10` now.
const UPSERT_NUMBER: &str = "INSERT INTO dj_virtual_numbers (id, dj_profile_id, virtual_number, \
     twilio_phone_number_sid, real_phone_number, is_active, state, area_code, assigned_at, \
     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
     ON CONFLICT (virtual_number) DO UPDATE SET dj_profile_id = excluded.dj_profile_id, \
     twilio_phone_number_sid = excluded.twilio_phone_number_sid, \
     real_phone_number = excluded.real_phone_number, is_active = excluded.is_active, \
     state = excluded.state, area_code = excluded.area_code, assigned_at = excluded.assigned_at, \
     released_at = NULL, cooling_until = NULL, updated_at = excluded.updated_at \
     WHERE dj_virtual_numbers.state = 'released' \
     RETURNING {COLUMNS}";
