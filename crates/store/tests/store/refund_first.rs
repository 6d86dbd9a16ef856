//! SPEC §11: a refund that arrives before its payment is kept and applied when the payment
//! arrives. Every order of a payment's deliveries, duplicates included, ends in the same
//! ledger and the same call state.

use crate::common::*;
use djcalls_domain::refund::RefundAmount;
use djcalls_domain::{Actor, Cents, CutRate};
use djcalls_store::Store;
use djcalls_store::calls::CallRecord;
use djcalls_store::payments::{NewRefund, RefundOutcome};
use djcalls_testkit::TestDb;

djcalls_testkit::on_both_backends! { &TestDb:
    refunds_before_payments_converge_in_every_order => every_order_converges;
    refunds_of_a_payment_kept_aside_for_its_currency_change_nothing => foreign_refunds;
}

#[derive(Clone, Copy, Debug)]
enum Delivery {
    Pay(i64),
    /// TipJar: the amount of this one refund, under its key.
    Single(&'static str, i64),
    /// Stripe: the total refunded so far, keyed by it.
    Cumulative(i64),
}

async fn deliver(store: &Store, call: &CallRecord, payment_id: &str, delivery: Delivery) {
    let refund = |refund_key: String, size| NewRefund {
        provider: "stripe".to_string(),
        provider_payment_id: payment_id.to_string(),
        refund_key,
        size,
        currency: "usd".to_string(),
        at: now(),
    };
    match delivery {
        Delivery::Pay(cents) => {
            let mut payment = entry(call, payment_id, cents);
            payment.provider_payment_id = payment_id.to_string();
            store
                .record_payment(&Actor::System, &payment, CutRate::DEFAULT)
                .await
                .unwrap();
        }
        Delivery::Single(key, cents) => {
            let size = RefundAmount::Single {
                amount_cents: Cents(cents),
            };
            store
                .record_refund(&refund(format!("{payment_id}:{key}"), size))
                .await
                .unwrap();
        }
        Delivery::Cumulative(total) => {
            let size = RefundAmount::Cumulative {
                total_cents: Cents(total),
            };
            store
                .record_refund(&refund(format!("{payment_id}:{total}"), size))
                .await
                .unwrap();
        }
    }
}

/// Every ordering of `items` (duplicates give repeated orderings, which is harmless).
fn orderings(items: &[Delivery]) -> Vec<Vec<Delivery>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in orderings(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// (net amount, net cut) of the call's ledger rows, and (paid, net cents, booked) of the call.
type Outcome = ((i64, i64), (bool, i64, bool));

async fn outcome(db: &TestDb, call: &CallRecord) -> Outcome {
    let raw = raw(db).await;
    let sums: (i64, i64) = raw_tx!(&raw, commit, |conn| {
        sqlx::query_as(
            "SELECT CAST(coalesce(sum(amount_cents), 0) AS BIGINT), \
             CAST(coalesce(sum(platform_cut_cents), 0) AS BIGINT) FROM payments WHERE call_id = $1",
        )
        .bind(call.id.0)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    });
    let c = fetch_call(&db.store, call.id).await;
    (
        sums,
        (
            c.tipjar_payment_received,
            c.tipjar_payment_amount_cents,
            c.is_booked,
        ),
    )
}

async fn every_order_converges(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "refund-first", "Refund First").await;
    let scenarios: [(&[Delivery], Outcome); 3] = [
        // A partial single refund, delivered twice: 10 000 − 3 000, cut 1 500 − 450.
        (
            &[
                Delivery::Pay(10_000),
                Delivery::Single("a", 3_000),
                Delivery::Single("a", 3_000),
            ],
            ((7_000, 1_050), (true, 7_000, true)),
        ),
        // Two single refunds that add up to more than was paid: refunded in full, not paid.
        (
            &[
                Delivery::Pay(10_000),
                Delivery::Single("a", 6_000),
                Delivery::Single("b", 6_000),
            ],
            ((0, 0), (false, 0, true)),
        ),
        // Stripe's cumulative totals in any order, one twice: the highest total counts.
        (
            &[
                Delivery::Pay(10_000),
                Delivery::Cumulative(3_000),
                Delivery::Cumulative(5_000),
                Delivery::Cumulative(3_000),
            ],
            ((5_000, 750), (true, 5_000, true)),
        ),
    ];
    let mut n = 0;
    for (deliveries, expected) in scenarios {
        for order in orderings(deliveries) {
            n += 1;
            let call = insert(store, answered(p, "2026-06-02T10:00:00Z", 120)).await;
            let payment_id = format!("pi_order_{n}");
            for delivery in &order {
                deliver(store, &call, &payment_id, *delivery).await;
            }
            assert_eq!(outcome(db, &call).await, expected, "{order:?}");
        }
    }
    // Nothing is left waiting once every payment arrived.
    let raw = raw(db).await;
    let left: i64 = raw_tx!(&raw, commit, |conn| {
        sqlx::query_scalar("SELECT count(*) FROM pending_refunds")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    });
    assert_eq!(left, 0);
}

async fn pending_count(db: &TestDb) -> i64 {
    let raw = raw(db).await;
    raw_tx!(&raw, commit, |conn| {
        sqlx::query_scalar("SELECT count(*) FROM pending_refunds")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    })
}

async fn foreign_refunds(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "yen", "Yen").await;
    let call = insert(store, answered(p, "2026-06-02T10:00:00Z", 120)).await;
    let yen_refund = |key: &str| NewRefund {
        provider: "stripe".to_string(),
        provider_payment_id: "pi_yen".to_string(),
        refund_key: key.to_string(),
        size: RefundAmount::Single {
            amount_cents: Cents(1_000),
        },
        currency: "JPY".to_string(),
        at: now(),
    };
    // Before the payment: kept, as any early refund.
    assert_eq!(
        store.record_refund(&yen_refund("early")).await.unwrap(),
        RefundOutcome::Pending
    );
    assert_eq!(pending_count(db).await, 1);
    // The payment turns out to be in another currency: kept aside, and its early refund goes.
    let mut yen = entry(&call, "pi_yen", 5_000);
    yen.currency = "JPY".to_string();
    assert!(store.hold_foreign_currency_payment(&yen).await.unwrap());
    assert!(!store.hold_foreign_currency_payment(&yen).await.unwrap());
    assert_eq!(pending_count(db).await, 0);
    // A later refund of it changes nothing and is not kept either.
    assert_eq!(
        store.record_refund(&yen_refund("late")).await.unwrap(),
        RefundOutcome::NotCounted
    );
    assert_eq!(pending_count(db).await, 0);
    assert_eq!(outcome(db, &call).await, ((0, 0), (false, 0, false)));
    let held = store
        .foreign_currency_payments(&Actor::Service, 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].amount_cents, held[0].currency.as_str()),
        (5_000, "JPY")
    );
}
