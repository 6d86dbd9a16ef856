//! TipJar webhooks: signature negatives, duplicate and foreign events, refunds once each.

use super::support::*;
use djcalls_app::payments::{PaymentLinks, sign_tipjar_payload};
use djcalls_domain::Cents;
use djcalls_testkit::TestApp;
use secrecy::SecretString;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    tipjar_signature_negatives_write_nothing => tipjar_negatives;
    tipjar_refunds_subtract_once_each => tipjar_refunds;
    a_tipjar_refund_before_its_payment_is_applied_when_the_payment_arrives => tipjar_refund_first;
}

async fn tipjar_negatives(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Sig").await;
    let body = json!({
        "id": "evt_tj_1",
        "type": "payment.succeeded",
        "data": {"payment_id": "pay_tj_1", "amount_cents": 4_321, "currency": "usd", "reference": b.reference}
    })
    .to_string();
    let secret = djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET;
    signature_negatives(
        &t,
        &b,
        async |sig: Option<&str>, body: &str| post_tipjar(&t, sig, body).await,
        |secret, ts, body| {
            sign_tipjar_payload(&SecretString::from(secret.to_string()), ts, body.as_bytes())
        },
        secret,
        &body,
        4_321,
    )
    .await;
    assert_eq!(revenue(&t, b.dj).await, (4_321, 648, 3_673));

    // A second event for the same payment id records nothing more.
    let again = body.replace("evt_tj_1", "evt_tj_2");
    let sig = sign_tipjar_payload(
        &SecretString::from(secret.to_string()),
        now(&t),
        again.as_bytes(),
    );
    assert_eq!(post_tipjar(&t, Some(&sig), &again).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (4_321, 648, 3_673));

    // Signed but not ours or not understood.
    let sign_now = |body: &str| {
        sign_tipjar_payload(
            &SecretString::from(secret.to_string()),
            now(&t),
            body.as_bytes(),
        )
    };
    let unknown_ref = body
        .replace(&b.reference, "ref_someone_else")
        .replace("pay_tj_1", "pay_tj_9");
    assert_eq!(
        post_tipjar(&t, Some(&sign_now(&unknown_ref)), &unknown_ref).await,
        200
    );
    let other_type = r#"{"id":"evt_tj_3","type":"payout.sent"}"#;
    assert_eq!(
        post_tipjar(&t, Some(&sign_now(other_type)), other_type).await,
        200
    );
    let garbled = r#"{"id":"evt_tj_4","type":"payment.succeeded","data":{}}"#;
    assert_eq!(
        post_tipjar(&t, Some(&sign_now(garbled)), garbled).await,
        400
    );
    assert_eq!(revenue(&t, b.dj).await, (4_321, 648, 3_673));
}

async fn tipjar_refunds(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Refund").await;
    let session = t
        .payments
        .create_session(&session_request(&b, "refunds"))
        .await
        .unwrap();
    let session_id = session.rsplit('/').next().unwrap().to_string();
    let paid = t
        .payments
        .payment_succeeded_webhook(&session_id, Cents(9_990), now(&t))
        .unwrap();
    assert_eq!(
        post_tipjar(&t, Some(&paid.header_value), &paid.body).await,
        200
    );
    assert_eq!(revenue(&t, b.dj).await, (9_990, 1_499, 8_491));

    // A partial refund, delivered twice: subtracted once.
    let refund = t
        .payments
        .payment_refunded_webhook(&session_id, Cents(3_330), now(&t))
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            post_tipjar(&t, Some(&refund.header_value), &refund.body).await,
            200
        );
    }
    assert_eq!(money(&t, b.call).await, (true, json!(66.6), 6_660, true));
    // Two more thirds: the whole payment and exactly its cut are reversed.
    for _ in 0..2 {
        let refund = t
            .payments
            .payment_refunded_webhook(&session_id, Cents(3_330), now(&t))
            .unwrap();
        assert_eq!(
            post_tipjar(&t, Some(&refund.header_value), &refund.body).await,
            200
        );
    }
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    // A refund beyond the payment records nothing.
    let over = t
        .payments
        .payment_refunded_webhook(&session_id, Cents(100), now(&t))
        .unwrap();
    assert_eq!(
        post_tipjar(&t, Some(&over.header_value), &over.body).await,
        200
    );
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    let (received, _, cents, booked) = money(&t, b.call).await;
    assert_eq!((received, cents, booked), (false, 0, true));
}

async fn tipjar_refund_first(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Early").await;
    let refund = || {
        tipjar_event(
            &t,
            "evt_early_refund",
            "payment.refunded",
            "pay_early",
            2_000,
            "usd",
            &b.reference,
        )
    };
    assert_eq!(refund().await, 200);
    assert_eq!(refund().await, 200);
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    let (received, _, _, booked) = money(&t, b.call).await;
    assert_eq!((received, booked), (false, false));
    let paid = || {
        tipjar_event(
            &t,
            "evt_late_paid",
            "payment.succeeded",
            "pay_early",
            10_000,
            "usd",
            &b.reference,
        )
    };
    assert_eq!(paid().await, 200);
    assert_eq!(revenue(&t, b.dj).await, (8_000, 1_200, 6_800));
    assert_eq!(paid().await, 200);
    assert_eq!(refund().await, 200);
    assert_eq!(revenue(&t, b.dj).await, (8_000, 1_200, 6_800));
    assert_eq!(money(&t, b.call).await, (true, json!(80.0), 8_000, true));
}
