//! On-demand purchases: reserved before Twilio is called, so none is made twice or past the cap.

use super::*;
use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
use djcalls_domain::{Actor, DjProfileId};
use uuid::Uuid;

impl Store {
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
                None => {
                    sqlx::query(super::assignments::RECORD_ASSIGNMENT)
                        .bind(Uuid::now_v7())
                        .bind(dj.0)
                        .bind(&inserted.virtual_number)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                    Claim::Assigned(inserted)
                }
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
}
