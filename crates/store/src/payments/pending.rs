//! Refunds still waiting for their payment (`pending_refunds`, migration 0015), listed for
//! admins: one that waits long may be a refund of a payment that will never reach us.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::Actor;

/// A refund kept until its payment arrives.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingRefund {
    pub provider: String,
    /// The provider's id of the refund (a redelivery has the same).
    pub refund_key: String,
    pub provider_payment_id: String,
    /// Stripe's cumulative total refunded so far (true) or TipJar's single refund (false).
    pub cumulative: bool,
    /// In the currency's minor unit, as the provider sent it.
    pub amount_cents: i64,
    pub currency: String,
    pub received_at: DbTime,
}

impl Store {
    /// The refunds waiting for their payment, oldest first (the ones to look at).
    pub async fn pending_refunds(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> StoreResult<Vec<PendingRefund>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, PendingRefund>(
                "SELECT provider, refund_key, provider_payment_id, cumulative, amount_cents, \
                 currency, received_at FROM pending_refunds \
                 ORDER BY received_at, provider, refund_key LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
