//! Ad conversions valued at the real payment (SPEC §14): each payment sends one GA4
//! Measurement Protocol `purchase` (when the call came after a widget click: GA4's `client_id`
//! is the click's visitor id) and one Meta Conversions API `Purchase` (hashed caller phone);
//! each refund one GA4 `refund`. Only for the platforms configured (`Settings::ad_conversions`).
//!
//! Durable and exactly once per ledger row per destination: [`ledger_jobs`] is called inside
//! the transaction that writes the payment or refund row (`payments::ledger_jobs`) and
//! returns one job per destination, deduped by `<kind>:<ledger row id>`, so a redelivered
//! webhook (which writes no row) queues nothing. A job is retried with the runner's backoff
//! on a timeout, 429 or 5xx; a refusal (other 4xx) is kept as dead. A job that sent but died
//! before it was marked done is sent again: the platforms de-duplicate by our payment id
//! (GA4 `transaction_id`, Meta `event_id`).

mod jobs;

pub use jobs::{Ga4Conversion, LedgerConversion, MetaConversion};

use crate::App;
use crate::jobs::JobKind;
use djcalls_store::jobs::NewJob;
use djcalls_store::payments::{LedgerKind, LedgerRow};

/// The conversion jobs of one ledger row, to enqueue in the transaction that wrote it.
pub(crate) fn ledger_jobs(app: &App, row: &LedgerRow) -> Vec<NewJob> {
    let platforms = &app.settings.ad_conversions;
    let conversion = LedgerConversion::of(row);
    let mut jobs = Vec::new();
    if platforms.ga4.is_some() {
        jobs.extend(to_job(&Ga4Conversion(conversion.clone()), row));
    }
    if platforms.meta.is_some() && row.kind == LedgerKind::Payment {
        jobs.extend(to_job(&MetaConversion(conversion), row));
    }
    jobs
}

fn to_job<K: JobKind>(job: &K, row: &LedgerRow) -> Option<NewJob> {
    match job.to_new_job(Some(row.dj_profile_id), row.at) {
        Ok(job) => Some(job),
        Err(e) => {
            tracing::error!(kind = K::KIND, error = %e, "a conversion job could not be written");
            None
        }
    }
}
