//! Stripe webhooks: payments and cumulative refunds netting out, and the signature negatives.

use super::support::*;
use djcalls_app::payments::{sign_stripe_payload, sign_tipjar_payload};
use djcalls_testkit::{ServedApp, TestApp};
use secrecy::SecretString;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    stripe_payments_and_cumulative_refunds_net_out => stripe_refunds;
    stripe_signature_negatives_write_nothing => stripe_negatives;
    a_stripe_refund_before_its_checkout_is_applied_when_the_payment_arrives => stripe_refund_first;
}

async fn stripe_refund_first(t: TestApp) {
    let v = with_stripe_secret(&t).await;
    let b = booking(&t, &t.base_url, "DJ Early Refund").await;
    let post = async |body: &str| {
        let sig = stripe_sign(STRIPE_SECRET, now(&t), body);
        let url = format!("{}/api/stripe/webhook", v.base_url);
        post_webhook(url, "Stripe-Signature", Some(&sig), body).await
    };
    let refund = charge_refunded("evt_early_r", "pi_early", 5_000);
    assert_eq!(post(&refund).await, 200);
    assert_eq!(post(&refund).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    let paid = checkout_completed("evt_late_paid", "pi_early", 15_000, &b.reference);
    assert_eq!(post(&paid).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (10_000, 1_500, 8_500));
    // Redeliveries of either change nothing.
    assert_eq!(post(&refund).await, 200);
    assert_eq!(post(&paid).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (10_000, 1_500, 8_500));
    assert_eq!(money(&t, b.call).await, (true, json!(100.0), 10_000, true));
}

async fn with_stripe_secret(t: &TestApp) -> ServedApp {
    TestApp::builder()
        .settings(|s| s.stripe_webhook_secret = Some(SecretString::from(STRIPE_SECRET.to_string())))
        .serve_beside(t)
        .await
}

fn stripe_sign(secret: &str, ts: i64, body: &str) -> String {
    sign_stripe_payload(&SecretString::from(secret.to_string()), ts, body.as_bytes())
}

fn checkout_completed(event: &str, pi: &str, cents: i64, reference: &str) -> String {
    json!({
        "id": event,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {
            "id": format!("cs_{pi}"), "object": "checkout.session", "payment_status": "paid",
            "payment_intent": pi, "amount_total": cents, "currency": "usd",
            "client_reference_id": reference,
        }}
    })
    .to_string()
}

fn charge_refunded(event: &str, pi: &str, total_refunded: i64) -> String {
    json!({
        "id": event,
        "object": "event",
        "type": "charge.refunded",
        "data": {"object": {
            "id": format!("ch_{pi}"), "object": "charge", "payment_intent": pi,
            "amount_refunded": total_refunded, "currency": "usd",
        }}
    })
    .to_string()
}

async fn stripe_refunds(t: TestApp) {
    let v = with_stripe_secret(&t).await;
    let b = booking(&t, &t.base_url, "DJ Stripe").await;
    let post = async |body: &str| {
        let sig = stripe_sign(STRIPE_SECRET, now(&t), body);
        post_webhook(
            format!("{}/api/stripe/webhook", v.base_url),
            "Stripe-Signature",
            Some(&sig),
            body,
        )
        .await
    };

    let paid = checkout_completed("evt_paid", "pi_1", 15_000, &b.reference);
    assert_eq!(post(&paid).await, 200);
    assert_eq!(post(&paid).await, 200);
    assert_eq!(money(&t, b.call).await, (true, json!(150.0), 15_000, true));
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // Partial refund of 50.00 (cumulative 5 000), delivered twice.
    let partial = charge_refunded("evt_r1", "pi_1", 5_000);
    assert_eq!(post(&partial).await, 200);
    assert_eq!(post(&partial).await, 200);
    assert_eq!(money(&t, b.call).await, (true, json!(100.0), 10_000, true));
    assert_eq!(revenue(&t, b.dj).await, (10_000, 1_500, 8_500));

    // The rest (cumulative 15 000), then the older total arriving late, then the full one again.
    let full = charge_refunded("evt_r2", "pi_1", 15_000);
    assert_eq!(post(&full).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    assert_eq!(
        post(&charge_refunded("evt_r1_late", "pi_1", 5_000)).await,
        200
    );
    assert_eq!(post(&full).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    let (received, amount, cents, booked) = money(&t, b.call).await;
    // Refunded in full: no longer a received payment (SPEC §11, so no amount), still booked.
    assert_eq!(
        (received, amount, cents, booked),
        (false, Value::Null, 0, true)
    );

    // Ignored and unmatched events are answered 200 and change nothing.
    let unpaid = paid
        .replace("\"paid\"", "\"unpaid\"")
        .replace("evt_paid", "evt_unpaid");
    assert_eq!(post(&unpaid).await, 200);
    let other =
        r#"{"id":"evt_other","object":"event","type":"customer.created","data":{"object":{}}}"#;
    assert_eq!(post(other).await, 200);
    let stranger = checkout_completed("evt_stranger", "pi_2", 7_000, "ref_not_ours");
    assert_eq!(post(&stranger).await, 200);
    assert_eq!(
        post(&charge_refunded("evt_r9", "pi_unknown", 100)).await,
        200
    );
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));

    // A second payment on another call, partially refunded in two steps by a concurrent pair
    // of deliveries: the ledger ends at the highest total.
    let c = booking(&t, &t.base_url, "DJ Stripe Two").await;
    assert_eq!(
        post(&checkout_completed(
            "evt_paid_c",
            "pi_c",
            9_990,
            &c.reference
        ))
        .await,
        200
    );
    let (first, second) = (
        charge_refunded("evt_c1", "pi_c", 3_000),
        charge_refunded("evt_c2", "pi_c", 4_000),
    );
    let (a, bb) = tokio::join!(post(&first), post(&second));
    assert_eq!((a, bb), (200, 200));
    let (total, cut, _) = revenue(&t, c.dj).await;
    assert_eq!(total, 5_990);
    assert_eq!(cut, 1_499 - (1_499 * 4_000 * 2 + 9_990) / (2 * 9_990));
}

async fn stripe_negatives(t: TestApp) {
    // Without STRIPE_WEBHOOK_SECRET nothing can be verified: 400, nothing written.
    let b = booking(&t, &t.base_url, "DJ Unset").await;
    let body = checkout_completed("evt_unset", "pi_unset", 1_000, &b.reference);
    let sig = stripe_sign(STRIPE_SECRET, now(&t), &body);
    assert_eq!(
        post_webhook(
            t.url("/api/stripe/webhook"),
            "Stripe-Signature",
            Some(&sig),
            &body
        )
        .await,
        400
    );
    assert_eq!(money(&t, b.call).await, (false, Value::Null, 0, false));

    let v = with_stripe_secret(&t).await;
    let url = format!("{}/api/stripe/webhook", v.base_url);
    let body = checkout_completed("evt_neg", "pi_neg", 12_345, &b.reference);
    signature_negatives(
        &t,
        &b,
        async |sig: Option<&str>, body: &str| {
            post_webhook(url.clone(), "Stripe-Signature", sig, body).await
        },
        stripe_sign,
        STRIPE_SECRET,
        &body,
        12_345,
    )
    .await;
    assert_eq!(revenue(&t, b.dj).await, (12_345, 1_852, 10_493));

    // The TipJar secret does not verify Stripe events, nor the other way round.
    let c = booking(&t, &t.base_url, "DJ Cross").await;
    let body = checkout_completed("evt_cross", "pi_cross", 500, &c.reference);
    let tipjar_sig = sign_tipjar_payload(
        &SecretString::from(djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET.to_string()),
        now(&t),
        body.as_bytes(),
    );
    assert_eq!(
        post_webhook(url.clone(), "Stripe-Signature", Some(&tipjar_sig), &body).await,
        400
    );
    assert_eq!(
        post_webhook(
            format!("{}/api/tipjar/webhook", v.base_url),
            "X-TipJar-Signature",
            Some(&stripe_sign(STRIPE_SECRET, now(&t), &body)),
            &body
        )
        .await,
        400
    );
    assert_eq!(revenue(&t, c.dj).await, (0, 0, 0));

    // Bodies up to 1 MiB reach the signature check on these routes (the API's limit is 64 KiB);
    // larger ones are refused.
    let padded = format!(
        "{{\"id\":\"evt_big\",\"type\":\"customer.created\",\"pad\":\"{}\"}}",
        "x".repeat(200 * 1024)
    );
    assert_eq!(
        post_webhook(
            url.clone(),
            "Stripe-Signature",
            Some(&stripe_sign(STRIPE_SECRET, now(&t), &padded)),
            &padded
        )
        .await,
        200
    );
    let huge = "x".repeat((1 << 20) + 1);
    assert_eq!(
        post_webhook(url.clone(), "Stripe-Signature", Some("t=1,v1=00"), &huge).await,
        413
    );
}
