//! The ledger's job seam: the jobs a payment or refund causes are enqueued in the transaction
//! that writes its row — once per row written, never for a duplicate delivery, and for a
//! refund that waited for its payment when that payment arrives.

use crate::common::*;
use djcalls_domain::refund::RefundAmount;
use djcalls_domain::{Actor, Cents, CutRate};
use djcalls_store::Store;
use djcalls_store::jobs::NewJob;
use djcalls_store::payments::{LedgerKind, LedgerRow, NewRefund, RefundOutcome};
use djcalls_testkit::TestDb;

djcalls_testkit::on_both_backends! { &TestDb:
    each_ledger_row_enqueues_its_jobs_once => each_row_enqueues_its_jobs_once;
}

/// One job per row, its payload naming the row so the test can read them back.
fn jobs_for(row: &LedgerRow) -> Vec<NewJob> {
    let kind = match row.kind {
        LedgerKind::Payment => "payment",
        LedgerKind::Refund => "refund",
    };
    vec![NewJob {
        kind: "ledger_test".to_string(),
        payload: format!(
            "{{\"kind\":\"{kind}\",\"amount\":{},\"call\":\"{}\",\"payment\":\"{}\"}}",
            row.amount.0, row.call_id, row.provider_payment_id
        ),
        dedupe_key: format!("ledger_test:{}", row.id),
        dj_profile_id: Some(row.dj_profile_id),
        run_at: row.at,
        max_attempts: 1,
    }]
}

async fn queued_payloads(store: &Store) -> Vec<String> {
    let mut payloads: Vec<String> = store
        .pending_jobs(&Actor::System, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|job| job.kind == "ledger_test")
        .map(|job| job.payload)
        .collect();
    payloads.sort();
    payloads
}

fn refund(payment_id: &str, key: &str, cents: i64) -> NewRefund {
    NewRefund {
        provider: "stripe".to_string(),
        provider_payment_id: payment_id.to_string(),
        refund_key: key.to_string(),
        size: RefundAmount::Single {
            amount_cents: Cents(cents),
        },
        currency: "usd".to_string(),
        at: now(),
    }
}

async fn each_row_enqueues_its_jobs_once(db: &TestDb) {
    let store = &db.store;
    create_profile(store, profile(1), "one", "One").await;
    let call = insert(store, answered(profile(1), "2026-06-10T15:00:00Z", 300)).await;

    // A refund before its payment writes no row, so no job yet.
    let early = store
        .record_refund_with(&refund("pi_1", "re_early", 1_000), &jobs_for)
        .await
        .unwrap();
    assert_eq!(early, RefundOutcome::Pending);
    assert!(queued_payloads(store).await.is_empty());

    // The payment writes its row and applies the waiting refund: two rows, two jobs.
    let payment = entry(&call, "pi_1", 10_000);
    let new = store
        .record_payment_with(&Actor::System, &payment, CutRate::DEFAULT, &jobs_for)
        .await
        .unwrap();
    assert!(new);
    let call_id = call.id;
    assert_eq!(
        queued_payloads(store).await,
        vec![
            format!(
                "{{\"kind\":\"payment\",\"amount\":10000,\"call\":\"{call_id}\",\"payment\":\"pi_1\"}}"
            ),
            format!(
                "{{\"kind\":\"refund\",\"amount\":-1000,\"call\":\"{call_id}\",\"payment\":\"pi_1\"}}"
            ),
        ]
    );

    // Redeliveries write nothing and enqueue nothing.
    let again = store
        .record_payment_with(&Actor::System, &payment, CutRate::DEFAULT, &jobs_for)
        .await
        .unwrap();
    assert!(!again);
    let dup = store
        .record_refund_with(&refund("pi_1", "re_early", 1_000), &jobs_for)
        .await
        .unwrap();
    assert_eq!(dup, RefundOutcome::Duplicate);
    assert_eq!(queued_payloads(store).await.len(), 2);

    // A later refund: its row and its job.
    let late = store
        .record_refund_with(&refund("pi_1", "re_late", 2_500), &jobs_for)
        .await
        .unwrap();
    assert_eq!(late, recorded(&call, -2_500));
    let payloads = queued_payloads(store).await;
    assert_eq!(payloads.len(), 3);
    assert!(payloads.contains(&format!(
        "{{\"kind\":\"refund\",\"amount\":-2500,\"call\":\"{call_id}\",\"payment\":\"pi_1\"}}"
    )));
}
