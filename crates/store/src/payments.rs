//! The money ledger: one row per provider payment or refund, recorded once per provider id,
//! with the call's payment fields kept in step inside the same transaction.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, CallId, Cents, CutRate, DjProfileId};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Payment,
    Refund,
}

impl EntryKind {
    fn as_str(self) -> &'static str {
        match self {
            EntryKind::Payment => "payment",
            EntryKind::Refund => "refund",
        }
    }
}

/// A verified movement of money. `amount` is positive for a payment, negative for a refund.
#[derive(Clone, Debug)]
pub struct LedgerEntry {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
    pub provider: String,
    pub kind: EntryKind,
    /// Unique per provider: the payment id for a payment, the refund's id for a refund.
    pub provider_entry_id: String,
    pub provider_payment_id: String,
    pub amount: Cents,
    pub currency: String,
    pub at: DbTime,
}

impl Store {
    /// Records `entry` with the platform cut at `rate`, unless the provider id was recorded
    /// before. Returns whether it was new. The call's `tipjar_payment_received`,
    /// `tipjar_payment_amount` (net of refunds) and, for a payment, `is_booked` follow it.
    pub async fn record_ledger_entry(
        &self,
        actor: &Actor,
        entry: &LedgerEntry,
        rate: CutRate,
    ) -> StoreResult<bool> {
        let (cut, dj_share) = rate.split(entry.amount);
        Ok(in_tx!(self, actor, write, |conn| {
            let inserted: Option<Uuid> = sqlx::query_scalar(
                "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, provider_entry_id, \
                 provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, currency, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (provider, provider_entry_id) DO NOTHING RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(entry.call_id.0)
            .bind(entry.dj_profile_id.0)
            .bind(&entry.provider)
            .bind(entry.kind.as_str())
            .bind(&entry.provider_entry_id)
            .bind(&entry.provider_payment_id)
            .bind(entry.amount.0)
            .bind(cut.0)
            .bind(dj_share.0)
            .bind(&entry.currency)
            .bind(entry.at)
            .fetch_optional(&mut *conn)
            .await?;
            if inserted.is_some() {
                sqlx::query(
                    "UPDATE dj_calls SET \
                     tipjar_payment_amount_cents = \
                       (SELECT CAST(coalesce(sum(amount_cents), 0) AS BIGINT) FROM payments WHERE call_id = $1), \
                     tipjar_payment_received = EXISTS \
                       (SELECT 1 FROM payments WHERE call_id = $1 AND kind = 'payment'), \
                     is_booked = CASE WHEN $2 THEN true ELSE is_booked END, \
                     updated_at = $3 \
                     WHERE id = $1",
                )
                .bind(entry.call_id.0)
                .bind(entry.kind == EntryKind::Payment)
                .bind(entry.at)
                .execute(&mut *conn)
                .await?;
            }
            inserted.is_some()
        }))
    }
}
