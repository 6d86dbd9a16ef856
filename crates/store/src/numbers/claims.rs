//! Claiming a number for a DJ, changing where it forwards, and releasing it to cooling.

use super::*;
use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
use djcalls_domain::{Actor, DjProfileId};
use uuid::Uuid;

impl Store {
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
                            sqlx::query(super::assignments::RECORD_ASSIGNMENT)
                                .bind(Uuid::now_v7())
                                .bind(dj.0)
                                .bind(&number.virtual_number)
                                .bind(now)
                                .execute(&mut *conn)
                                .await?;
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
}
