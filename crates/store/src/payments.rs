//! The money ledger: one row per provider payment or refund, recorded once per provider id,
//! with the call's payment fields kept in step inside the same transaction.

use crate::{Backend, DbTime, Store, StoreResult};
use djcalls_domain::refund::{PaidAmount, RefundAmount, RefundStep};
use djcalls_domain::{Actor, CallId, Cents, CutRate, DjProfileId};
use uuid::Uuid;

/// A verified payment, for [`Store::record_payment`]. Refunds have their own path,
/// [`Store::record_refund`], because their amount and cut depend on the payment they refund.
#[derive(Clone, Debug)]
pub struct NewPayment {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
    pub provider: String,
    /// Unique per provider: a payment is recorded once per this id.
    pub provider_entry_id: String,
    pub provider_payment_id: String,
    pub amount: Cents,
    pub currency: String,
    pub at: DbTime,
}

/// Brings a call's payment fields in step with its ledger rows. `$1` call id, `$2` whether the
/// new row is a payment (which books the call), `$3` now.
const SYNC_CALL_SQL: &str = "UPDATE dj_calls SET \
     tipjar_payment_amount_cents = \
       (SELECT CAST(coalesce(sum(amount_cents), 0) AS BIGINT) FROM payments WHERE call_id = $1), \
     tipjar_payment_received = EXISTS \
       (SELECT 1 FROM payments WHERE call_id = $1 AND kind = 'payment'), \
     is_booked = CASE WHEN $2 THEN true ELSE is_booked END, \
     updated_at = $3 \
     WHERE id = $1";

impl Store {
    /// Records the payment `entry` with the platform cut at `rate`, unless the provider id was
    /// recorded before. Returns whether it was new. The call's `tipjar_payment_received`,
    /// `tipjar_payment_amount` (net of refunds) and `is_booked` follow it.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        entry: &NewPayment,
        rate: CutRate,
    ) -> StoreResult<bool> {
        let (cut, dj_share) = rate.split(entry.amount);
        Ok(in_tx!(self, actor, write, |conn| {
            let inserted: Option<Uuid> = sqlx::query_scalar(
                "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, provider_entry_id, \
                 provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, currency, created_at) \
                 VALUES ($1, $2, $3, $4, 'payment', $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (provider, provider_entry_id) DO NOTHING RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(entry.call_id.0)
            .bind(entry.dj_profile_id.0)
            .bind(&entry.provider)
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
                sqlx::query(SYNC_CALL_SQL)
                    .bind(entry.call_id.0)
                    .bind(true)
                    .bind(entry.at)
                    .execute(&mut *conn)
                    .await?;
            }
            inserted.is_some()
        }))
    }

    /// Records a refund of the payment `refund.provider_payment_id` in ONE transaction: reads
    /// what was already refunded, lets [`RefundAmount::step`] decide the amount new with this
    /// refund and the cut it gives back, and inserts a negative row under `refund:<refund_key>`
    /// (unique per provider, so the same refund delivered twice records once).
    /// On PostgreSQL refunds of one payment take turns (advisory lock); SQLite's
    /// `BEGIN IMMEDIATE` already serialises writers.
    pub async fn record_refund(&self, refund: &NewRefund) -> StoreResult<RefundOutcome> {
        let is_postgres = self.backend() == Backend::Postgres;
        let entry_id = format!("refund:{}", refund.refund_key);
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            if is_postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!(
                        "refund:{}:{}",
                        refund.provider, refund.provider_payment_id
                    ))
                    .execute(&mut *conn)
                    .await?;
            }
            let seen: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(1 AS BIGINT) FROM payments WHERE provider = $1 AND provider_entry_id = $2",
            )
            .bind(&refund.provider)
            .bind(&entry_id)
            .fetch_optional(&mut *conn)
            .await?;
            let payment: Option<(Uuid, Uuid, i64, i64)> = if seen.is_some() {
                None
            } else {
                sqlx::query_as(
                    "SELECT call_id, dj_profile_id, amount_cents, platform_cut_cents FROM payments \
                     WHERE provider = $1 AND provider_payment_id = $2 AND kind = 'payment' \
                     ORDER BY created_at LIMIT 1",
                )
                .bind(&refund.provider)
                .bind(&refund.provider_payment_id)
                .fetch_optional(&mut *conn)
                .await?
            };
            match (seen, payment) {
                (Some(_), _) => RefundOutcome::Duplicate,
                (None, None) => RefundOutcome::UnknownPayment,
                (None, Some((call_id, dj_profile_id, paid, paid_cut))) => {
                    let already: i64 = sqlx::query_scalar(
                        "SELECT CAST(coalesce(sum(-amount_cents), 0) AS BIGINT) FROM payments \
                         WHERE provider = $1 AND provider_payment_id = $2 AND kind = 'refund'",
                    )
                    .bind(&refund.provider)
                    .bind(&refund.provider_payment_id)
                    .fetch_one(&mut *conn)
                    .await?;
                    let paid = PaidAmount {
                        amount: Cents(paid),
                        cut: Cents(paid_cut),
                    };
                    if let Some(RefundStep { amount, cut }) = refund.size.step(paid, Cents(already))
                    {
                        let (delta, cut) = (amount.0, cut.0);
                        sqlx::query(
                            "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, \
                             provider_entry_id, provider_payment_id, amount_cents, platform_cut_cents, \
                             dj_share_cents, currency, created_at) \
                             VALUES ($1, $2, $3, $4, 'refund', $5, $6, $7, $8, $9, $10, $11)",
                        )
                        .bind(Uuid::now_v7())
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
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query(SYNC_CALL_SQL)
                            .bind(call_id)
                            .bind(false)
                            .bind(refund.at)
                            .execute(&mut *conn)
                            .await?;
                        RefundOutcome::Recorded {
                            call_id: CallId(call_id),
                            amount: Cents(-delta),
                        }
                    } else {
                        RefundOutcome::NothingNew
                    }
                }
            }
        }))
    }
}

/// A verified refund, for [`Store::record_refund`].
#[derive(Clone, Debug)]
pub struct NewRefund {
    pub provider: String,
    /// The id the payment was recorded under.
    pub provider_payment_id: String,
    /// Unique per refund step and the same on every redelivery.
    pub refund_key: String,
    pub size: RefundAmount,
    pub currency: String,
    pub at: DbTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundOutcome {
    /// A refund row was written; `amount` is negative.
    Recorded { call_id: CallId, amount: Cents },
    /// This refund key was recorded before.
    Duplicate,
    /// Nothing new: an older cumulative total arriving late, or the payment is fully refunded.
    NothingNew,
    /// No payment under that provider payment id.
    UnknownPayment,
}
