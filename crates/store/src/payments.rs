//! The money ledger: one row per provider payment or refund, recorded once per provider id,
//! with the call's payment fields kept in step inside the same transaction.

use crate::{Backend, DbTime, Store, StoreResult};
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
                sqlx::query(SYNC_CALL_SQL)
                    .bind(entry.call_id.0)
                    .bind(entry.kind == EntryKind::Payment)
                    .bind(entry.at)
                    .execute(&mut *conn)
                    .await?;
            }
            inserted.is_some()
        }))
    }

    /// Records a refund of the payment `refund.provider_payment_id` in ONE transaction: reads
    /// what was already refunded, turns the provider's figure into the amount new with this
    /// refund ([`RefundSize`]), caps the running total at the payment, and inserts a negative
    /// row under `refund:<refund_key>` (unique per provider, so the same refund delivered twice
    /// records once). The refund's platform cut is the original payment's cut in proportion,
    /// computed on running totals and rounded half up, so a payment refunded in full — in one
    /// step or several — nets exactly zero cut and zero DJ share whatever the cut rate is now.
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
                    let delta = refund_delta(refund.size, paid, already);
                    if delta <= 0 {
                        RefundOutcome::NothingNew
                    } else {
                        let cut = proportional_cut(paid_cut, paid, already + delta)
                            - proportional_cut(paid_cut, paid, already);
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
                    }
                }
            }
        }))
    }
}

/// How much a refund event says was refunded (the store's copy of the payments crate's
/// `RefundAmount`, which the store does not depend on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundSize {
    /// Everything refunded on the payment so far, this refund included (Stripe).
    Cumulative(Cents),
    /// This refund alone (TipJar).
    Single(Cents),
}

/// A verified refund, for [`Store::record_refund`].
#[derive(Clone, Debug)]
pub struct NewRefund {
    pub provider: String,
    /// The id the payment was recorded under.
    pub provider_payment_id: String,
    /// Unique per refund step and the same on every redelivery.
    pub refund_key: String,
    pub size: RefundSize,
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

/// The cents new with this refund, given `paid` and `already` refunded, never taking the
/// running total past the payment.
fn refund_delta(size: RefundSize, paid: i64, already: i64) -> i64 {
    let wanted = match size {
        RefundSize::Cumulative(total) => total.0.saturating_sub(already),
        RefundSize::Single(amount) => amount.0,
    };
    wanted.min(paid.saturating_sub(already)).max(0)
}

/// `paid_cut × refunded / paid`, rounded half up; exactly `paid_cut` when all is refunded.
fn proportional_cut(paid_cut: i64, paid: i64, refunded: i64) -> i64 {
    if paid <= 0 {
        return 0;
    }
    let scaled = i128::from(paid_cut) * i128::from(refunded) * 2 + i128::from(paid);
    let cut = scaled.div_euclid(2 * i128::from(paid));
    i64::try_from(cut).unwrap_or(paid_cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_refunds_record_only_what_is_new_and_never_more_than_was_paid() {
        let total = |c| RefundSize::Cumulative(Cents(c));
        assert_eq!(refund_delta(total(500), 10_000, 0), 500);
        assert_eq!(refund_delta(total(500), 10_000, 300), 200);
        assert_eq!(refund_delta(total(300), 10_000, 500), 0);
        assert_eq!(refund_delta(total(20_000), 10_000, 500), 9_500);
        assert_eq!(
            refund_delta(RefundSize::Single(Cents(700)), 1_000, 500),
            500
        );
    }

    #[test]
    fn a_refund_in_steps_reverses_exactly_the_original_cut() {
        // 99.90 paid, cut 14.99; refunded 33.30 three times.
        let (paid, cut) = (9_990, 1_499);
        let mut already = 0;
        let mut cut_back = 0;
        for _ in 0..3 {
            cut_back +=
                proportional_cut(cut, paid, already + 3_330) - proportional_cut(cut, paid, already);
            already += 3_330;
        }
        assert_eq!(already, paid);
        assert_eq!(cut_back, cut);
        assert_eq!(proportional_cut(2_250, 15_000, 5_000), 750);
    }
}
