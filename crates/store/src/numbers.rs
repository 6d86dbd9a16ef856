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

use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
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

/// What the call flow needs to route a call to a virtual number.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
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
            sqlx::query_as::<_, VirtualNumber>(
                "SELECT n.dj_profile_id, n.virtual_number, n.real_phone_number, p.dj_name, \
                 p.dj_slug FROM dj_virtual_numbers n JOIN dj_profiles p ON p.id = n.dj_profile_id \
                 WHERE n.virtual_number = $1 AND n.state = 'assigned' AND n.is_active \
                 AND n.real_phone_number IS NOT NULL",
            )
            .bind(e164)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// The public facts (DJ, virtual number) of the given DJs' active numbers, in one query.
    /// DJs without one are simply absent. Runs as the system: this is public information.
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
            "SELECT dj_profile_id, virtual_number FROM dj_virtual_numbers \
             WHERE state = 'assigned' AND dj_profile_id IN ({placeholders})"
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

    /// Gives `dj` a number: the one they have (its forwarding number set to `real`), else an
    /// available pool number, preferring `area_code`. Never two numbers for one DJ, never one
    /// number for two DJs, however many requests race.
    pub async fn claim_pool_number(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        real: &str,
        area_code: Option<&str>,
        now: DbTime,
    ) -> StoreResult<Claim> {
        match self.try_claim(actor, dj, real, area_code, now).await {
            // A concurrent request gave this DJ a number first (the one-per-DJ index refused
            // ours, and the transaction rolled back): theirs is the answer.
            Err(StoreError::Conflict(constraint)) => match self.assigned_number(actor, dj).await? {
                Some(number) => Ok(Claim::Existing(number)),
                None => Err(StoreError::Conflict(constraint)),
            },
            other => other,
        }
    }

    async fn try_claim(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        real: &str,
        area_code: Option<&str>,
        now: DbTime,
    ) -> StoreResult<Claim> {
        Ok(in_tx!(self, actor, write, |conn| {
            let existing = sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers \
                 WHERE dj_profile_id = $1 AND state = 'assigned'",
            ))
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?;
            match existing {
                Some(number) if number.real_phone_number.as_deref() == Some(real) => {
                    Claim::Existing(number)
                }
                Some(number) => Claim::Existing(
                    sqlx::query_as::<_, NumberRecord>(sql_with(
                        COLUMNS,
                        "UPDATE dj_virtual_numbers SET real_phone_number = $2, updated_at = $3 \
                         WHERE id = $1 RETURNING {COLUMNS}",
                    ))
                    .bind(number.id)
                    .bind(real)
                    .bind(now)
                    .fetch_one(&mut *conn)
                    .await?,
                ),
                None => {
                    let mut claim = None;
                    for _ in 0..CLAIM_ATTEMPTS {
                        // The candidate: in the wanted area code if possible, else the number
                        // that has rested longest.
                        let candidate: Option<Uuid> = sqlx::query_scalar(
                            "SELECT id FROM dj_virtual_numbers \
                             WHERE state = 'available' \
                             OR (state = 'cooling' AND cooling_until <= $1) \
                             ORDER BY CASE WHEN area_code = $2 THEN 0 ELSE 1 END, \
                             COALESCE(released_at, created_at), id LIMIT 1",
                        )
                        .bind(now)
                        .bind(area_code)
                        .fetch_optional(&mut *conn)
                        .await?;
                        let Some(id) = candidate else {
                            claim = Some(Claim::Empty);
                            break;
                        };
                        // Takes it only if nobody else did meanwhile (on PostgreSQL a
                        // concurrent claim waits for ours, then finds the state changed).
                        let taken = sqlx::query_as::<_, NumberRecord>(sql_with(
                            COLUMNS,
                            "UPDATE dj_virtual_numbers SET state = 'assigned', \
                             dj_profile_id = $2, real_phone_number = $3, is_active = TRUE, \
                             assigned_at = $4, released_at = NULL, cooling_until = NULL, \
                             updated_at = $4 \
                             WHERE id = $1 AND (state = 'available' \
                             OR (state = 'cooling' AND cooling_until <= $4)) \
                             RETURNING {COLUMNS}",
                        ))
                        .bind(id)
                        .bind(dj.0)
                        .bind(real)
                        .bind(now)
                        .fetch_optional(&mut *conn)
                        .await?;
                        if let Some(number) = taken {
                            claim = Some(Claim::Assigned(number));
                            break;
                        }
                    }
                    match claim {
                        Some(claim) => claim,
                        None => return Err(StoreError::Conflict("pool contention".into())),
                    }
                }
            }
        }))
    }

    /// Sets a DJ's forwarding number: on the profile, and on their assigned number if they
    /// have one (returned).
    pub async fn set_real_number(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        real: &str,
        now: DbTime,
    ) -> StoreResult<Option<NumberRecord>> {
        Ok(in_tx!(self, actor, write, |conn| {
            let updated = sqlx::query(
                "UPDATE dj_profiles SET real_phone_number = $2, updated_at = $3 WHERE id = $1",
            )
            .bind(dj.0)
            .bind(real)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "UPDATE dj_virtual_numbers SET real_phone_number = $2, updated_at = $3 \
                 WHERE dj_profile_id = $1 AND state = 'assigned' RETURNING {COLUMNS}",
            ))
            .bind(dj.0)
            .bind(real)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Releases the DJ's number into cooling until `cooling_until`; the number stops
    /// forwarding at once. `None` when the DJ had no number.
    pub async fn release_to_cooling(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        cooling_until: DbTime,
        now: DbTime,
    ) -> StoreResult<Option<NumberRecord>> {
        Ok(in_tx!(self, actor, write, |conn| {
            sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "UPDATE dj_virtual_numbers SET state = 'cooling', is_active = FALSE, \
                 real_phone_number = NULL, released_at = $2, cooling_until = $3, updated_at = $2 \
                 WHERE dj_profile_id = $1 AND state = 'assigned' RETURNING {COLUMNS}",
            ))
            .bind(dj.0)
            .bind(now)
            .bind(cooling_until)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Reserves one on-demand purchase for `dj`, unless they have a number, another purchase
    /// for them is under way, or `max` purchases were made already.
    pub async fn reserve_purchase(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        area_code: &str,
        max: u32,
        now: DbTime,
    ) -> StoreResult<Reservation> {
        let stale_before = DbTime(
            now.0
                .checked_sub(jiff::SignedDuration::from_secs(STALE_PURCHASE_SECONDS))
                .unwrap_or(now.0),
        );
        Ok(in_tx!(self, actor, write, |conn| {
            // Serializes reservations (a row lock on PostgreSQL, held until commit).
            sqlx::query("UPDATE number_purchase_lock SET touched_at = $1 WHERE id = 1")
                .bind(now)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "UPDATE number_purchases SET state = 'abandoned', updated_at = $1 \
                 WHERE state = 'pending' AND created_at < $2",
            )
            .bind(now)
            .bind(stale_before)
            .execute(&mut *conn)
            .await?;
            // Pending first, then assigned: a purchase that completes between the two reads
            // (it takes the lock too, but a claim from the pool does not) is seen either way.
            let in_flight: Option<Uuid> = sqlx::query_scalar(
                "SELECT id FROM number_purchases WHERE dj_profile_id = $1 AND state = 'pending'",
            )
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?;
            if in_flight.is_some() {
                return Ok(Reservation::InFlight);
            }
            let existing = sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers \
                 WHERE dj_profile_id = $1 AND state = 'assigned'",
            ))
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(number) = existing {
                return Ok(Reservation::Assigned(Box::new(number)));
            }
            let made: i64 =
                sqlx::query_scalar("SELECT count(*) FROM number_purchases WHERE state <> 'failed'")
                    .fetch_one(&mut *conn)
                    .await?;
            if made >= i64::from(max) {
                return Ok(Reservation::CapReached);
            }
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO number_purchases (id, dj_profile_id, state, area_code, created_at, \
                 updated_at) VALUES ($1, $2, 'pending', $3, $4, $4)",
            )
            .bind(id)
            .bind(dj.0)
            .bind(area_code)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Reservation::Reserved(id)
        }))
    }

    /// Records a bought number as the DJ's (or, if the DJ got one meanwhile, as available in
    /// the pool, so it is not wasted) and closes the reservation.
    pub async fn complete_purchase(
        &self,
        actor: &Actor,
        reservation: Uuid,
        dj: DjProfileId,
        real: &str,
        bought: &BoughtNumber,
        now: DbTime,
    ) -> StoreResult<Claim> {
        Ok(in_tx!(self, actor, write, |conn| {
            sqlx::query("UPDATE number_purchase_lock SET touched_at = $1 WHERE id = 1")
                .bind(now)
                .execute(&mut *conn)
                .await?;
            let existing = sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers \
                 WHERE dj_profile_id = $1 AND state = 'assigned'",
            ))
            .bind(dj.0)
            .fetch_optional(&mut *conn)
            .await?;
            let (owner, state) = match existing {
                Some(_) => (None, "available"),
                None => (Some(dj.0), "assigned"),
            };
            let inserted = sqlx::query_as::<_, NumberRecord>(sql_with(COLUMNS, UPSERT_NUMBER))
                .bind(Uuid::now_v7())
                .bind(owner)
                .bind(&bought.virtual_number)
                .bind(&bought.twilio_phone_number_sid)
                .bind(owner.map(|_| real))
                .bind(owner.is_some())
                .bind(state)
                .bind(&bought.area_code)
                .bind(owner.map(|_| now))
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| StoreError::Conflict("dj_virtual_numbers_virtual_number".into()))?;
            sqlx::query(
                "UPDATE number_purchases SET state = 'bought', virtual_number = $2, \
                 twilio_phone_number_sid = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(reservation)
            .bind(&bought.virtual_number)
            .bind(&bought.twilio_phone_number_sid)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            match existing {
                Some(number) => Claim::Existing(number),
                None => Claim::Assigned(inserted),
            }
        }))
    }

    /// Closes a reservation whose purchase failed; it no longer counts toward the cap.
    pub async fn fail_purchase(
        &self,
        actor: &Actor,
        reservation: Uuid,
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, actor, write, |conn| {
            sqlx::query(
                "UPDATE number_purchases SET state = 'failed', updated_at = $2 \
                 WHERE id = $1 AND state = 'pending'",
            )
            .bind(reservation)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// How many on-demand purchases count toward the cap.
    pub async fn purchase_count(&self, actor: &Actor) -> StoreResult<u64> {
        let made: i64 = in_tx!(self, actor, read, |conn| {
            sqlx::query_scalar("SELECT count(*) FROM number_purchases WHERE state <> 'failed'")
                .fetch_one(&mut *conn)
                .await?
        });
        Ok(u64::try_from(made).unwrap_or(0))
    }

    /// Adds bought numbers to the pool as available. A number given back to Twilio earlier and
    /// bought again gets its old row back.
    pub async fn add_pool_numbers(
        &self,
        actor: &Actor,
        numbers: &[BoughtNumber],
        now: DbTime,
    ) -> StoreResult<Vec<NumberRecord>> {
        Ok(in_tx!(self, actor, write, |conn| {
            let mut added = Vec::with_capacity(numbers.len());
            for number in numbers {
                let row = sqlx::query_as::<_, NumberRecord>(sql_with(COLUMNS, UPSERT_NUMBER))
                    .bind(Uuid::now_v7())
                    .bind(None::<Uuid>)
                    .bind(&number.virtual_number)
                    .bind(&number.twilio_phone_number_sid)
                    .bind(None::<&str>)
                    .bind(false)
                    .bind("available")
                    .bind(&number.area_code)
                    .bind(None::<DbTime>)
                    .bind(now)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Conflict("dj_virtual_numbers_virtual_number".into())
                    })?;
                added.push(row);
            }
            added
        }))
    }

    /// Every number the pool has ever held, by state then number.
    pub async fn pool_numbers(&self, actor: &Actor) -> StoreResult<Vec<NumberRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers ORDER BY state, virtual_number",
            ))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// The row of one virtual number, whatever its state.
    pub async fn number_by_virtual(
        &self,
        actor: &Actor,
        e164: &str,
    ) -> StoreResult<Option<NumberRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers WHERE virtual_number = $1",
            ))
            .bind(e164)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Marks a pool-owned number (with a Twilio SID, not assigned) released before Twilio is
    /// told, so no claim can take it meanwhile.
    pub async fn begin_release(
        &self,
        actor: &Actor,
        e164: &str,
        now: DbTime,
    ) -> StoreResult<ReleaseStart> {
        Ok(in_tx!(self, actor, write, |conn| {
            let current = sqlx::query_as::<_, NumberRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_virtual_numbers WHERE virtual_number = $1",
            ))
            .bind(e164)
            .fetch_optional(&mut *conn)
            .await?;
            match current {
                None => ReleaseStart::NotFound,
                Some(number) if number.state == "released" => {
                    ReleaseStart::AlreadyReleased(Box::new(number))
                }
                Some(number) if number.state == "assigned" => ReleaseStart::Assigned,
                Some(number) if number.twilio_phone_number_sid.is_none() => ReleaseStart::NotOwned,
                Some(before) => {
                    let after = sqlx::query_as::<_, NumberRecord>(sql_with(
                        COLUMNS,
                        "UPDATE dj_virtual_numbers SET state = 'released', is_active = FALSE, \
                         dj_profile_id = NULL, real_phone_number = NULL, released_at = $2, \
                         cooling_until = NULL, updated_at = $2 \
                         WHERE id = $1 AND state IN ('available', 'cooling') RETURNING {COLUMNS}",
                    ))
                    .bind(before.id)
                    .bind(now)
                    .fetch_optional(&mut *conn)
                    .await?;
                    match after {
                        Some(after) => ReleaseStart::Releasing {
                            before: Box::new(before),
                            after: Box::new(after),
                        },
                        // Claimed by a DJ between the read and the update.
                        None => ReleaseStart::Assigned,
                    }
                }
            }
        }))
    }

    /// Puts a number back as it was before `begin_release`, when Twilio refused the release.
    pub async fn undo_release(
        &self,
        actor: &Actor,
        before: &NumberRecord,
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, actor, write, |conn| {
            sqlx::query(
                "UPDATE dj_virtual_numbers SET state = $2, dj_profile_id = $3, released_at = $4, \
                 cooling_until = $5, updated_at = $6 WHERE id = $1 AND state = 'released'",
            )
            .bind(before.id)
            .bind(&before.state)
            .bind(before.dj_profile_id)
            .bind(before.released_at)
            .bind(before.cooling_until)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The area code most DJs' real numbers share (North American numbers only).
    pub async fn common_area_code(&self, actor: &Actor) -> StoreResult<Option<String>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_scalar::<_, String>(
                "SELECT substr(real_phone_number, 3, 3) AS area FROM dj_profiles \
                 WHERE real_phone_number LIKE '+1%' AND length(real_phone_number) = 12 \
                 GROUP BY substr(real_phone_number, 3, 3) ORDER BY count(*) DESC, area LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
        }))
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
