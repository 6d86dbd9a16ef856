//! Refunds as ledger rows, inside the caller's transaction on either backend: a refund of a
//! recorded payment becomes a negative row (its size from [`RefundAmount::step`]); a refund
//! that arrives before its payment is kept in `pending_refunds` and applied by the payment's
//! own transaction ([`RefundConn::apply_pending_refunds`]), so any order of deliveries ends in
//! the same ledger.

use super::{LedgerKind, LedgerRow, NewRefund, RefundOutcome, SYNC_CALL_SQL};
use crate::DbTime;
use djcalls_domain::refund::{PaidAmount, RefundAmount, RefundStep};
use djcalls_domain::{CallId, Cents, DjProfileId};
use sqlx::{PgConnection, SqliteConnection};
use uuid::Uuid;

/// The lock key that makes a payment and its refunds take turns on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already serialises writers): without it a refund could miss a payment
/// being recorded and be kept as pending after the payment looked for pending refunds.
pub(super) fn payment_lock_key(provider: &str, provider_payment_id: &str) -> String {
    format!("refund:{provider}:{provider_payment_id}")
}

/// A connection refunds can be written on: the `conn` inside an `in_tx!` body.
pub(super) trait RefundConn: Send {
    /// Records `refund`, or keeps it as pending when its payment is not recorded yet. The
    /// ledger row comes back when one was written.
    fn apply_refund(
        &mut self,
        refund: &NewRefund,
    ) -> impl Future<Output = sqlx::Result<(RefundOutcome, Option<LedgerRow>)>> + Send;

    /// Applies, oldest first, the refunds kept for a payment that has just been recorded, and
    /// forgets them. Returns the ledger rows written.
    fn apply_pending_refunds(
        &mut self,
        provider: &str,
        provider_payment_id: &str,
    ) -> impl Future<Output = sqlx::Result<Vec<LedgerRow>>> + Send;
}

type PendingRow = (String, bool, i64, String, DbTime);

macro_rules! impl_refund_conn {
    ($conn:ty) => {
        impl RefundConn for $conn {
            async fn apply_refund(
                &mut self,
                refund: &NewRefund,
            ) -> sqlx::Result<(RefundOutcome, Option<LedgerRow>)> {
                let entry_id = format!("refund:{}", refund.refund_key);
                let seen: Option<i64> = sqlx::query_scalar(
                    "SELECT CAST(1 AS BIGINT) FROM payments WHERE provider = $1 AND provider_entry_id = $2",
                )
                .bind(&refund.provider)
                .bind(&entry_id)
                .fetch_optional(&mut *self)
                .await?;
                if seen.is_some() {
                    return Ok((RefundOutcome::Duplicate, None));
                }
                let payment: Option<(Uuid, Uuid, i64, i64)> = sqlx::query_as(
                    "SELECT call_id, dj_profile_id, amount_cents, platform_cut_cents FROM payments \
                     WHERE provider = $1 AND provider_payment_id = $2 AND kind = 'payment' \
                     ORDER BY created_at LIMIT 1",
                )
                .bind(&refund.provider)
                .bind(&refund.provider_payment_id)
                .fetch_optional(&mut *self)
                .await?;
                let Some((call_id, dj_profile_id, paid, paid_cut)) = payment else {
                    let held: Option<i64> = sqlx::query_scalar(
                        "SELECT CAST(1 AS BIGINT) FROM foreign_currency_payments \
                         WHERE provider = $1 AND provider_payment_id = $2",
                    )
                    .bind(&refund.provider)
                    .bind(&refund.provider_payment_id)
                    .fetch_optional(&mut *self)
                    .await?;
                    if held.is_some() {
                        return Ok((RefundOutcome::NotCounted, None));
                    }
                    let (cumulative, amount) = match refund.size {
                        RefundAmount::Cumulative { total_cents } => (true, total_cents.0),
                        RefundAmount::Single { amount_cents } => (false, amount_cents.0),
                    };
                    sqlx::query(
                        "INSERT INTO pending_refunds (provider, refund_key, provider_payment_id, \
                         cumulative, amount_cents, currency, received_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (provider, refund_key) DO NOTHING",
                    )
                    .bind(&refund.provider)
                    .bind(&refund.refund_key)
                    .bind(&refund.provider_payment_id)
                    .bind(cumulative)
                    .bind(amount)
                    .bind(&refund.currency)
                    .bind(refund.at)
                    .execute(&mut *self)
                    .await?;
                    return Ok((RefundOutcome::Pending, None));
                };
                let already: i64 = sqlx::query_scalar(
                    "SELECT CAST(coalesce(sum(-amount_cents), 0) AS BIGINT) FROM payments \
                     WHERE provider = $1 AND provider_payment_id = $2 AND kind = 'refund'",
                )
                .bind(&refund.provider)
                .bind(&refund.provider_payment_id)
                .fetch_one(&mut *self)
                .await?;
                let paid = PaidAmount {
                    amount: Cents(paid),
                    cut: Cents(paid_cut),
                };
                let Some(RefundStep { amount, cut }) = refund.size.step(paid, Cents(already)) else {
                    return Ok((RefundOutcome::NothingNew, None));
                };
                let (delta, cut) = (amount.0, cut.0);
                let row_id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, \
                     provider_entry_id, provider_payment_id, amount_cents, platform_cut_cents, \
                     dj_share_cents, currency, created_at) \
                     VALUES ($1, $2, $3, $4, 'refund', $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(row_id)
                .bind(call_id)
                .bind(dj_profile_id)
                .bind(&refund.provider)
                .bind(&entry_id)
                .bind(&refund.provider_payment_id)
                .bind(-delta)
                .bind(-cut)
                .bind(-(delta - cut))
                .bind(&refund.currency)
                .bind(refund.at)
                .execute(&mut *self)
                .await?;
                sqlx::query(SYNC_CALL_SQL)
                    .bind(call_id)
                    .bind(false)
                    .bind(refund.at)
                    .execute(&mut *self)
                    .await?;
                let row = LedgerRow {
                    id: row_id,
                    kind: LedgerKind::Refund,
                    call_id: CallId(call_id),
                    dj_profile_id: DjProfileId(dj_profile_id),
                    provider: refund.provider.clone(),
                    provider_payment_id: refund.provider_payment_id.clone(),
                    amount: Cents(-delta),
                    currency: refund.currency.clone(),
                    at: refund.at,
                };
                let outcome = RefundOutcome::Recorded {
                    call_id: CallId(call_id),
                    amount: Cents(-delta),
                };
                Ok((outcome, Some(row)))
            }

            async fn apply_pending_refunds(
                &mut self,
                provider: &str,
                provider_payment_id: &str,
            ) -> sqlx::Result<Vec<LedgerRow>> {
                let pending: Vec<PendingRow> = sqlx::query_as(
                    "SELECT refund_key, cumulative, amount_cents, currency, received_at \
                     FROM pending_refunds WHERE provider = $1 AND provider_payment_id = $2 \
                     ORDER BY received_at, refund_key",
                )
                .bind(provider)
                .bind(provider_payment_id)
                .fetch_all(&mut *self)
                .await?;
                let mut written = Vec::new();
                for (refund_key, cumulative, amount, currency, at) in pending {
                    let size = if cumulative {
                        RefundAmount::Cumulative { total_cents: Cents(amount) }
                    } else {
                        RefundAmount::Single { amount_cents: Cents(amount) }
                    };
                    let refund = NewRefund {
                        provider: provider.to_string(),
                        provider_payment_id: provider_payment_id.to_string(),
                        refund_key,
                        size,
                        currency,
                        at,
                    };
                    if let (_, Some(row)) = self.apply_refund(&refund).await? {
                        written.push(row);
                    }
                }
                sqlx::query(
                    "DELETE FROM pending_refunds WHERE provider = $1 AND provider_payment_id = $2",
                )
                .bind(provider)
                .bind(provider_payment_id)
                .execute(&mut *self)
                .await?;
                Ok(written)
            }
        }
    };
}

impl_refund_conn!(PgConnection);
impl_refund_conn!(SqliteConnection);
