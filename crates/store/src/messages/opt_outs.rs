//! Numbers that texted STOP (or that Twilio refused with 21610).

use super::*;

impl Store {
    /// Puts `phone_number` on the opt-out list; true when it was not on it.
    pub async fn record_opt_out(
        &self,
        phone_number: &str,
        source: &str,
        now: DbTime,
    ) -> StoreResult<bool> {
        self.record_opt_out_with(phone_number, source, now, &[])
            .await
    }

    /// [`Store::record_opt_out`], enqueueing `job` (the outbound `lead.opted_out` event) in
    /// the same transaction when the number was not on the list.
    pub async fn record_opt_out_with(
        &self,
        phone_number: &str,
        source: &str,
        now: DbTime,
        jobs: &[crate::jobs::NewJob],
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let new = sqlx::query(
                "INSERT INTO sms_opt_outs (phone_number, source, opted_out_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (phone_number) DO NOTHING",
            )
            .bind(phone_number)
            .bind(source)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
            if new {
                for job in jobs {
                    crate::jobs::enqueue(conn, job, now).await?;
                }
            }
            new
        }))
    }

    /// Takes `phone_number` off the opt-out list (START); true when it was on it.
    pub async fn clear_opt_out(&self, phone_number: &str) -> StoreResult<bool> {
        // No jobs, so no time is written.
        self.clear_opt_out_with(phone_number, DbTime(jiff::Timestamp::UNIX_EPOCH), &[])
            .await
    }

    /// [`Store::clear_opt_out`], enqueueing `jobs` (the contacts' `contact.updated`) in the
    /// same transaction when the number was on the list.
    pub async fn clear_opt_out_with(
        &self,
        phone_number: &str,
        now: DbTime,
        jobs: &[crate::jobs::NewJob],
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let cleared = sqlx::query("DELETE FROM sms_opt_outs WHERE phone_number = $1")
                .bind(phone_number)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                > 0;
            if cleared {
                for job in jobs {
                    crate::jobs::enqueue(conn, job, now).await?;
                }
            }
            cleared
        }))
    }

    pub async fn is_opted_out(&self, phone_number: &str) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar::<_, i32>("SELECT 1 FROM sms_opt_outs WHERE phone_number = $1")
                .bind(phone_number)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
        }))
    }

    /// The opt-out list, most recent first (the admin console).
    pub async fn opt_outs(&self, actor: &Actor, limit: u32) -> StoreResult<Vec<OptOut>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, OptOut>(
                "SELECT phone_number, source, opted_out_at FROM sms_opt_outs \
                 ORDER BY opted_out_at DESC, phone_number LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
