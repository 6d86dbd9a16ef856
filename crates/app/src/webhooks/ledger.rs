//! `payment.received` / `payment.refunded`: one event per ledger row, enqueued in the ledger's
//! transaction (`payments/ledger_jobs.rs`).

use super::events::{EventType, webhook_event_job};
use crate::App;
use djcalls_store::jobs::NewJob;
use djcalls_store::payments::{LedgerKind, LedgerRow};
use serde_json::json;

/// The event a ledger row raises (its cause is the row's id, so one per row, ever).
pub(crate) fn ledger_events(app: &App, row: &LedgerRow) -> Vec<NewJob> {
    let event = match row.kind {
        LedgerKind::Payment => EventType::PaymentReceived,
        LedgerKind::Refund => EventType::PaymentRefunded,
    };
    let data = json!({
        "payment_id": row.id,
        "call_id": row.call_id,
        "dj_profile_id": row.dj_profile_id,
        "provider": row.provider,
        "provider_payment_id": row.provider_payment_id,
        "amount_cents": row.amount.0,
        "currency": row.currency,
        "at": row.at.0.to_string(),
    });
    vec![webhook_event_job(
        event,
        &row.id.to_string(),
        data,
        app.now(),
    )]
}
