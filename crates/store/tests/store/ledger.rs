//! Story 5: the money ledger records each provider entry once, keeps the call's payment fields
//! in step, and the schema itself holds cut + DJ share = amount. Refunds go through the
//! production path, `record_refund`.

use crate::common::*;
use djcalls_domain::{Actor, CallId, CutRate};
use djcalls_store::StoreError;
use djcalls_store::payments::{NewPayment, RefundOutcome};
use djcalls_testkit::TestDb;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    a_provider_entry_is_recorded_once_and_the_call_follows_payments_and_refunds => idempotent_ledger;
    the_schema_refuses_a_payment_whose_cut_and_share_do_not_add_up => split_check;
}

/// (received, net cents, booked) of a call.
async fn money(store: &djcalls_store::Store, id: CallId) -> (bool, i64, bool) {
    let c = fetch_call(store, id).await;
    (
        c.tipjar_payment_received,
        c.tipjar_payment_amount_cents,
        c.is_booked,
    )
}

async fn idempotent_ledger(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "ledger", "Ledger").await;
    let x = insert(store, answered(p, "2026-03-02T10:00:00Z", 120)).await;
    let y = insert(store, answered(p, "2026-03-02T11:00:00Z", 120)).await;
    let z = insert(store, answered(p, "2026-03-02T12:00:00Z", 120)).await;
    assert_eq!(money(store, x.id).await, (false, 0, false));

    // A payment, then the same provider entry again (even claiming another amount).
    assert!(pay(store, &x, "pi_100", 15_000).await);
    assert_eq!(money(store, x.id).await, (true, 15_000, true));
    assert!(!pay(store, &x, "pi_100", 15_000).await);
    assert!(!pay(store, &x, "pi_100", 99_999).await);
    assert_eq!(money(store, x.id).await, (true, 15_000, true));

    // A partial refund, twice: counted once; the call stays paid and booked.
    assert_eq!(
        refund(store, "pi_100", "re_100", 5_000).await,
        recorded(&x, -5_000)
    );
    assert_eq!(
        refund(store, "pi_100", "re_100", 5_000).await,
        RefundOutcome::Duplicate
    );
    assert_eq!(money(store, x.id).await, (true, 10_000, true));

    // Entry ids are unique per provider: another provider's "pi_100" is its own payment.
    let tipjar = NewPayment {
        provider: "tipjar".into(),
        ..entry(&x, "pi_100", 1_000)
    };
    assert!(
        store
            .record_payment(&Actor::System, &tipjar, CutRate::DEFAULT)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_payment(&Actor::System, &tipjar, CutRate::DEFAULT)
            .await
            .unwrap()
    );
    assert_eq!(money(store, x.id).await, (true, 11_000, true));

    // Paid in full, refunded in full: net 0, no longer paid (SPEC §11), still booked.
    assert!(pay(store, &y, "pi_200", 9_990).await);
    assert_eq!(money(store, y.id).await, (true, 9_990, true));
    assert_eq!(
        refund(store, "pi_200", "re_200", 9_990).await,
        recorded(&y, -9_990)
    );
    assert_eq!(money(store, y.id).await, (false, 0, true));

    // Delivered twice at the same moment: recorded once.
    let twice = entry(&z, "pi_300", 5);
    let (first, second) = tokio::join!(
        store.record_payment(&Actor::System, &twice, CutRate::DEFAULT),
        store.record_payment(&Actor::System, &twice, CutRate::DEFAULT),
    );
    let mut outcomes = [first.unwrap(), second.unwrap()];
    outcomes.sort();
    assert_eq!(outcomes, [false, true]);
    assert_eq!(money(store, z.id).await, (true, 5, true));

    // A refund of a payment not recorded yet is kept, and touches no call meanwhile.
    let w = insert(store, answered(p, "2026-03-02T13:00:00Z", 120)).await;
    assert_eq!(
        refund(store, "pi_orphan", "re_orphan", 700).await,
        RefundOutcome::Pending
    );
    assert_eq!(money(store, w.id).await, (false, 0, false));

    // An entry for a call that does not exist.
    let ghost = NewPayment {
        call_id: CallId(Uuid::from_u128(0xdead)),
        ..entry(&x, "pi_ghost", 100)
    };
    let result = store
        .record_payment(&Actor::System, &ghost, CutRate::DEFAULT)
        .await;
    assert!(
        matches!(result, Err(StoreError::MissingReference)),
        "{result:?}"
    );

    // The ledger as stored: 15 % per payment, rounded half up; a refund gives back the
    // payment's cut in proportion, under `refund:<refund key>`.
    let raw = raw(db).await;
    let rows: Vec<(String, String, i64, i64, i64)> = raw_tx!(&raw, commit, |conn| {
        sqlx::query_as(
            "SELECT provider, provider_entry_id, amount_cents, platform_cut_cents, dj_share_cents \
             FROM payments ORDER BY provider, provider_entry_id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    });
    let expected: Vec<(String, String, i64, i64, i64)> = [
        ("stripe", "pi_100", 15_000, 2_250, 12_750),
        ("stripe", "pi_200", 9_990, 1_499, 8_491),
        ("stripe", "pi_300", 5, 1, 4),
        ("stripe", "refund:re_100", -5_000, -750, -4_250),
        ("stripe", "refund:re_200", -9_990, -1_499, -8_491),
        ("tipjar", "pi_100", 1_000, 150, 850),
    ]
    .into_iter()
    .map(|(p, e, a, c, d)| (p.to_string(), e.to_string(), a, c, d))
    .collect();
    assert_eq!(rows, expected);

    // The seed's dollar column follows the cents.
    let dollars: f64 = raw_tx!(&raw, commit, |conn| {
        sqlx::query_scalar(
            "SELECT CAST(tipjar_payment_amount AS DOUBLE PRECISION) FROM dj_calls WHERE id = $1",
        )
        .bind(x.id.0)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    });
    assert_eq!(dollars, 110.0);

    // Analytics add up the same ledger:
    //   total 15000 − 5000 + 1000 + 9990 − 9990 + 5 = 11005
    //   cut   2250 − 750 + 150 + 1499 − 1499 + 1 = 1651; dj 11005 − 1651 = 9354
    let a = analytics(store, &Actor::Service, Some(p), &range(None, None, None)).await;
    assert_eq!(
        (
            a.total_revenue_cents,
            a.platform_cut_cents,
            a.dj_revenue_cents
        ),
        (11_005, 1_651, 9_354)
    );
    assert_eq!(
        (a.total_revenue, a.platform_cut, a.dj_revenue),
        (110.05, 16.51, 93.54)
    );
    // y was refunded in full: booked, but not a received payment any more.
    assert_eq!((a.tipjar_payments_received, a.booked_calls), (2, 3));
}

async fn split_check(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "checked", "Checked").await;
    let x = insert(store, answered(p, "2026-03-02T10:00:00Z", 120)).await;
    let raw = raw(db).await;
    let insert_sql = "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, \
         provider_entry_id, provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, \
         currency, created_at) VALUES ($1, $2, $3, 'stripe', 'payment', $4, $4, $5, $6, $7, 'usd', $8)";
    for (entry_id, amount, cut, share, ok) in [
        ("pi_ok", 15_000_i64, 2_250_i64, 12_750_i64, true),
        ("pi_cent_short", 15_000, 2_250, 12_749, false),
        ("pi_cent_over", 15_000, 2_251, 12_750, false),
        ("pi_refund_ok", -15_000, -2_250, -12_750, true),
        ("pi_refund_bad", -15_000, 2_250, -12_750, false),
    ] {
        let result = raw_tx!(&raw, rollback, |conn| {
            sqlx::query(insert_sql)
                .bind(Uuid::now_v7())
                .bind(x.id.0)
                .bind(p.0)
                .bind(entry_id)
                .bind(amount)
                .bind(cut)
                .bind(share)
                .bind(now())
                .execute(&mut *conn)
                .await
                .map(|_| ())
        });
        match result {
            Ok(()) => assert!(ok, "{entry_id} was accepted"),
            Err(sqlx::Error::Database(e)) => {
                assert!(!ok, "{entry_id} was refused: {e}");
                assert_eq!(
                    e.kind(),
                    sqlx::error::ErrorKind::CheckViolation,
                    "{entry_id}: {e}"
                );
            }
            Err(e) => panic!("{entry_id}: {e}"),
        }
    }
}
