//! The money ledger: one row per provider payment or refund, recorded once per provider id,
//! with the call's payment fields kept in step inside the same transaction.

mod foreign;
mod pending;
mod refunds;

pub use foreign::ForeignCurrencyPayment;
pub use pending::PendingRefund;

use crate::jobs::NewJob;
use crate::{Backend, DbTime, Store, StoreResult};
use djcalls_domain::refund::RefundAmount;
use djcalls_domain::{Actor, CallId, Cents, CutRate, DjProfileId};
use refunds::{RefundConn, payment_lock_key};
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

/// Whether a ledger row is money received or money given back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerKind {
    Payment,
    Refund,
}

/// A ledger row as it was written, for the jobs it causes (outbound webhooks, ad conversions).
#[derive(Clone, Debug)]
pub struct LedgerRow {
    /// The `payments` row id: stable, so it can name the row to the outside world.
    pub id: Uuid,
    pub kind: LedgerKind,
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
    pub provider: String,
    pub provider_payment_id: String,
    /// Negative for a refund.
    pub amount: Cents,
    pub currency: String,
    pub at: DbTime,
}

/// The jobs a ledger row causes, enqueued in the transaction that writes the row (so a row is
/// never written without them, nor they without it). Called once per row written.
pub type LedgerJobs<'a> = &'a (dyn Fn(&LedgerRow) -> Vec<NewJob> + Send + Sync);

/// No jobs: for callers that only record.
fn no_jobs(_: &LedgerRow) -> Vec<NewJob> {
    Vec::new()
}

/// Enqueues, on `conn` inside the caller's transaction, the jobs `jobs` gives for each row.
async fn enqueue_ledger_jobs<C: crate::jobs::JobConn>(
    conn: &mut C,
    jobs: LedgerJobs<'_>,
    rows: &[LedgerRow],
) -> sqlx::Result<()> {
    for row in rows {
        for job in jobs(row) {
            crate::jobs::enqueue(conn, &job, row.at).await?;
        }
    }
    Ok(())
}

/// Brings a call's payment fields in step with its ledger rows. `$1` call id, `$2` whether the
/// new row is a payment (which books the call), `$3` now. A call counts as paid while its net
/// is above zero: a call refunded in full is no longer paid (SPEC §11); it stays booked, which
/// the payment made it and only a person undoes.
const SYNC_CALL_SQL: &str = "UPDATE dj_calls SET \
     tipjar_payment_amount_cents = \
       (SELECT CAST(coalesce(sum(amount_cents), 0) AS BIGINT) FROM payments WHERE call_id = $1), \
     tipjar_payment_received = \
       (SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE call_id = $1) > 0, \
     is_booked = CASE WHEN $2 THEN true ELSE is_booked END, \
     updated_at = $3 \
     WHERE id = $1";

impl Store {
    /// Records the payment `entry` with the platform cut at `rate`, unless the provider id was
    /// recorded before. Returns whether it was new. Refunds of it that arrived first are
    /// applied in the same transaction. The call's `tipjar_payment_received`,
    /// `tipjar_payment_amount` (net of refunds) and `is_booked` follow it.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        entry: &NewPayment,
        rate: CutRate,
    ) -> StoreResult<bool> {
        self.record_payment_with(actor, entry, rate, &no_jobs).await
    }

    /// [`Store::record_payment`], enqueueing in the same transaction the jobs `jobs` gives for
    /// the payment row and for each waiting refund applied with it.
    pub async fn record_payment_with(
        &self,
        actor: &Actor,
        entry: &NewPayment,
        rate: CutRate,
        jobs: LedgerJobs<'_>,
    ) -> StoreResult<bool> {
        let (cut, dj_share) = rate.split(entry.amount);
        let is_postgres = self.backend() == Backend::Postgres;
        let lock_key = payment_lock_key(&entry.provider, &entry.provider_payment_id);
        let row_id = Uuid::now_v7();
        Ok(in_tx!(self, actor, write, |conn| {
            if is_postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(&lock_key)
                    .execute(&mut *conn)
                    .await?;
            }
            let inserted: Option<Uuid> = sqlx::query_scalar(
                "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, provider_entry_id, \
                 provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, currency, created_at) \
                 VALUES ($1, $2, $3, $4, 'payment', $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (provider, provider_entry_id) DO NOTHING RETURNING id",
            )
            .bind(row_id)
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
                let mut rows = vec![LedgerRow {
                    id: row_id,
                    kind: LedgerKind::Payment,
                    call_id: entry.call_id,
                    dj_profile_id: entry.dj_profile_id,
                    provider: entry.provider.clone(),
                    provider_payment_id: entry.provider_payment_id.clone(),
                    amount: entry.amount,
                    currency: entry.currency.clone(),
                    at: entry.at,
                }];
                rows.extend(
                    conn.apply_pending_refunds(&entry.provider, &entry.provider_payment_id)
                        .await?,
                );
                enqueue_ledger_jobs(conn, jobs, &rows).await?;
            }
            inserted.is_some()
        }))
    }

    /// Records a refund of the payment `refund.provider_payment_id` in ONE transaction: reads
    /// what was already refunded, lets [`RefundAmount::step`] decide the amount new with this
    /// refund and the cut it gives back, and inserts a negative row under `refund:<refund_key>`
    /// (unique per provider, so the same refund delivered twice records once). A refund whose
    /// payment is not recorded yet is kept and applied when the payment arrives
    /// ([`RefundOutcome::Pending`]).
    /// On PostgreSQL a payment and its refunds take turns (advisory lock); SQLite's
    /// `BEGIN IMMEDIATE` already serialises writers.
    pub async fn record_refund(&self, refund: &NewRefund) -> StoreResult<RefundOutcome> {
        self.record_refund_with(refund, &no_jobs).await
    }

    /// [`Store::record_refund`], enqueueing in the same transaction the jobs `jobs` gives for
    /// the refund row when one is written.
    pub async fn record_refund_with(
        &self,
        refund: &NewRefund,
        jobs: LedgerJobs<'_>,
    ) -> StoreResult<RefundOutcome> {
        let is_postgres = self.backend() == Backend::Postgres;
        let lock_key = payment_lock_key(&refund.provider, &refund.provider_payment_id);
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            if is_postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(&lock_key)
                    .execute(&mut *conn)
                    .await?;
            }
            let (outcome, row) = conn.apply_refund(refund).await?;
            enqueue_ledger_jobs(conn, jobs, row.as_slice()).await?;
            outcome
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
    /// No payment under that provider payment id yet: the refund is kept and applied when the
    /// payment is recorded (a redelivery keeps it once).
    Pending,
    /// The payment was kept aside for its currency (never counted), so its refund changes
    /// nothing either.
    NotCounted,
}
