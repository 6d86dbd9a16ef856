//! The jobs a payment or refund causes, enqueued in the transaction that writes its ledger row
//! (`Store::record_payment_with` / `record_refund_with`): a row is never written without them,
//! and they never run for a row that was not written. Each integration adds its jobs here with
//! one line calling into its own module.

use crate::App;
use djcalls_store::jobs::NewJob;
use djcalls_store::payments::LedgerRow;

/// Every job `row` causes. Called inside the ledger transaction: it must not touch the
/// database, only describe jobs (their handlers read what they need when they run).
pub(crate) fn ledger_jobs(app: &App, row: &LedgerRow) -> Vec<NewJob> {
    let mut jobs = Vec::new();
    jobs.extend(crate::webhooks::ledger_events(app, row));
    jobs.extend(crate::conversions::ledger_jobs(app, row));
    // The caller's contact changed too (what they paid): `contact.updated`, with the row.
    let touch = crate::contacts::ContactTouch::Payment { call: row.call_id };
    jobs.push(app.contact_webhook_job(&touch, row.at));
    jobs
}
