//! Refunds that arrived before their payment (SPEC §11): kept, listed for admins at
//! `GET /api/djdash/admin/pending-refunds` (flagged stale after 30 days, never dropped) until
//! the payment arrives and they are applied.

use super::support::*;
use djcalls_app::Clock;
use djcalls_domain::Role;
use djcalls_testkit::TestApp;
use jiff::SignedDuration;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    a_refund_waiting_for_its_payment_is_listed_for_admins_until_the_payment_arrives => waiting_refund;
}

const PATH: &str = "/api/djdash/admin/pending-refunds";

async fn pending_as(t: &TestApp, token: &str) -> (u16, Value) {
    let response = client()
        .get(t.url(PATH))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn pending(t: &TestApp) -> Vec<Value> {
    let (status, body) = pending_as(t, t.service_key()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stale_after_days"], json!(30));
    body["refunds"].as_array().unwrap().clone()
}

async fn waiting_refund(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Waiting").await;
    assert!(pending(&t).await.is_empty());
    let refund = TipJarEvent {
        id: "evt_waiting_refund",
        kind: "payment.refunded",
        payment_id: "pay_waiting",
        cents: 1_500,
        currency: "usd",
        reference: &b.reference,
    };
    assert_eq!(refund.post_to(&t, &t.base_url).await, 200);
    assert_eq!(refund.post_to(&t, &t.base_url).await, 200, "redelivered");
    let received = t.clock.now();
    let listed = pending(&t).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let r = &listed[0];
    assert_eq!(r["provider"], "tipjar");
    assert_eq!(r["provider_payment_id"], "pay_waiting");
    assert_eq!(r["refund_key"], "evt_waiting_refund");
    assert_eq!(r["kind"], "single");
    assert_eq!(
        (r["amount_cents"].clone(), r["amount"].clone()),
        (json!(1_500), json!(15.0))
    );
    assert_eq!(r["currency"], "USD");
    assert_eq!(r["received_at"], json!(received.to_string()));
    assert_eq!(
        (r["age_seconds"].clone(), r["stale"].clone()),
        (json!(0), json!(false))
    );

    // Admins may list them; a DJ, even the call's own, may not.
    let admin = t.user_token("ops@admin.test", Role::Admin, &[]).await;
    let (status, body) = pending_as(&t, &admin).await;
    assert_eq!(
        (status, body["refunds"].as_array().unwrap().len()),
        (200, 1)
    );
    let dj = t.user_token("waiting@dj.test", Role::Dj, &[b.dj]).await;
    let (status, body) = pending_as(&t, &dj).await;
    assert_eq!(status, 403, "{body}");

    // A month on it is flagged, and still kept.
    t.clock.set(received + SignedDuration::from_hours(31 * 24));
    let listed = pending(&t).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["age_seconds"], json!(31 * 24 * 3600));
    assert_eq!(listed[0]["stale"], json!(true));

    // The payment arrives: the refund is applied and leaves the list.
    let paid = TipJarEvent {
        id: "evt_waiting_paid",
        kind: "payment.succeeded",
        cents: 5_000,
        ..refund
    };
    assert_eq!(paid.post_to(&t, &t.base_url).await, 200);
    assert!(pending(&t).await.is_empty());
    let (received, _, cents, booked) = money(&t, b.call).await;
    assert_eq!((received, cents, booked), (true, 3_500, true));
}
