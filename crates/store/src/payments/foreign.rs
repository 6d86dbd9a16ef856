//! Payments in a currency other than the platform's: kept apart from the ledger (`payments`)
//! so they never count as revenue nor mark a call paid, and listed for admins (SPEC §11).

use super::NewPayment;
use crate::{Backend, DbTime, Store, StoreResult};
use djcalls_domain::{Actor, CallId, DjProfileId};
use uuid::Uuid;

/// A payment kept aside because of its currency.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ForeignCurrencyPayment {
    #[sqlx(try_from = "uuid::Uuid")]
    pub call_id: CallId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub dj_profile_id: DjProfileId,
    pub provider: String,
    pub provider_payment_id: String,
    /// In the currency's minor unit, as the provider sent it.
    pub amount_cents: i64,
    pub currency: String,
    pub received_at: DbTime,
}

impl Store {
    /// Keeps `entry` aside (once per provider payment id); true when it was new. Refunds of
    /// it that arrived first are dropped: what was never counted has nothing to give back.
    pub async fn hold_foreign_currency_payment(&self, entry: &NewPayment) -> StoreResult<bool> {
        let is_postgres = self.backend() == Backend::Postgres;
        let lock_key =
            super::refunds::payment_lock_key(&entry.provider, &entry.provider_payment_id);
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            if is_postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(&lock_key)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query(
                "DELETE FROM pending_refunds WHERE provider = $1 AND provider_payment_id = $2",
            )
            .bind(&entry.provider)
            .bind(&entry.provider_payment_id)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO foreign_currency_payments (id, call_id, dj_profile_id, provider, \
                 provider_payment_id, amount_cents, currency, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (provider, provider_payment_id) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(entry.call_id.0)
            .bind(entry.dj_profile_id.0)
            .bind(&entry.provider)
            .bind(&entry.provider_payment_id)
            .bind(entry.amount.0)
            .bind(&entry.currency)
            .bind(entry.at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0
        }))
    }

    /// The payments kept aside, most recent first.
    pub async fn foreign_currency_payments(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> StoreResult<Vec<ForeignCurrencyPayment>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, ForeignCurrencyPayment>(
                "SELECT call_id, dj_profile_id, provider, provider_payment_id, amount_cents, \
                 currency, received_at FROM foreign_currency_payments \
                 ORDER BY received_at DESC, id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
