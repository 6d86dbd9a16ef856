//! Payment links: one opaque short link per call, its provider reference, and its opens.

use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, CallId, DjProfileId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentLink {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub call_id: CallId,
    #[sqlx(try_from = "Uuid")]
    pub dj_profile_id: DjProfileId,
    /// The path segment after `/pay/`.
    pub token: String,
    /// What the payment provider echoes back (Stripe `client_reference_id`, TipJar `reference`).
    pub reference: String,
    pub opens: i32,
    pub last_opened_at: Option<DbTime>,
    pub revoked_at: Option<DbTime>,
    pub created_at: DbTime,
}

const COLUMNS: &str =
    "id, call_id, dj_profile_id, token, reference, opens, last_opened_at, revoked_at, created_at";

impl Store {
    /// The call's link, created with `token` and `reference` unless it already has one (then
    /// the existing link wins, so a retried job sends the same URL).
    pub async fn ensure_payment_link(
        &self,
        call_id: CallId,
        dj_profile_id: DjProfileId,
        token: &str,
        reference: &str,
        now: DbTime,
    ) -> StoreResult<PaymentLink> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "INSERT INTO payment_links (id, call_id, dj_profile_id, token, reference, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (call_id) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(call_id.0)
            .bind(dj_profile_id.0)
            .bind(token)
            .bind(reference)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query_as::<_, PaymentLink>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM payment_links WHERE call_id = $1",
            ))
            .bind(call_id.0)
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    pub async fn payment_link_by_token(&self, token: &str) -> StoreResult<Option<PaymentLink>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, PaymentLink>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM payment_links WHERE token = $1",
            ))
            .bind(token)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    pub async fn payment_link_by_reference(
        &self,
        reference: &str,
    ) -> StoreResult<Option<PaymentLink>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, PaymentLink>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM payment_links WHERE reference = $1",
            ))
            .bind(reference)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Counts one open of a live link; returns the link after counting, `None` if unknown or
    /// revoked.
    pub async fn open_payment_link(
        &self,
        token: &str,
        now: DbTime,
    ) -> StoreResult<Option<PaymentLink>> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query_as::<_, PaymentLink>(sql_with(
                COLUMNS,
                "UPDATE payment_links SET opens = opens + 1, last_opened_at = $2 \
                 WHERE token = $1 AND revoked_at IS NULL RETURNING {COLUMNS}",
            ))
            .bind(token)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    pub async fn revoke_payment_link(
        &self,
        actor: &Actor,
        call_id: CallId,
        now: DbTime,
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, actor, write, |conn| {
            sqlx::query("UPDATE payment_links SET revoked_at = $2 WHERE call_id = $1 AND revoked_at IS NULL")
                .bind(call_id.0)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                > 0
        }))
    }
}
