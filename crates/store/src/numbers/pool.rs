//! The pool's inventory: adding bought numbers, listing, and giving numbers back to Twilio.

use super::*;
use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
use djcalls_domain::Actor;
use uuid::Uuid;

impl Store {
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
