//! SPEC §11 currency: a payment in another currency than `PLATFORM_CURRENCY` is kept for
//! admins to see and never counted as revenue, nor does it mark the call paid or booked.

use super::support::*;
use djcalls_domain::Role;
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    a_payment_in_another_currency_is_kept_for_admins_and_never_counted => other_currency;
}

async fn foreign_payments(t: &TestApp) -> Vec<Value> {
    let response = client()
        .get(t.url("/api/djdash/admin/foreign-currency-payments"))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["payments"].as_array().unwrap().clone()
}

async fn other_currency(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Yen").await;
    // ¥5000 used to count as $50.00.
    let yen = TipJarEvent {
        id: "evt_yen",
        kind: "payment.succeeded",
        payment_id: "pay_yen",
        cents: 5_000,
        currency: "jpy",
        reference: &b.reference,
    };
    assert_eq!(yen.post_to(&t, &t.base_url).await, 200);
    assert_eq!(yen.post_to(&t, &t.base_url).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    let (received, _, cents, booked) = money(&t, b.call).await;
    assert_eq!((received, cents, booked), (false, 0, false));
    let held = foreign_payments(&t).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["currency"], json!("JPY"));
    assert_eq!(held[0]["amount_minor_units"], json!(5_000));
    assert_eq!(held[0]["call_id"], json!(b.call.to_string()));

    // A DJ's token may not list them.
    let dj_token = t.user_token("yen@dj.test", Role::Dj, &[b.dj]).await;
    let response = client()
        .get(t.url("/api/djdash/admin/foreign-currency-payments"))
        .bearer_auth(dj_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // The platform's currency counts, in any case.
    let dollars = TipJarEvent {
        id: "evt_usd",
        payment_id: "pay_usd",
        currency: "USD",
        ..yen
    };
    assert_eq!(dollars.post_to(&t, &t.base_url).await, 200);
    assert_eq!(revenue(&t, b.dj).await, (5_000, 750, 4_250));

    // With PLATFORM_CURRENCY=eur, dollars are the foreign currency.
    let euro_app = TestApp::builder()
        .settings(|s| s.platform_currency = "EUR".to_string())
        .serve_beside(&t)
        .await;
    let c = booking(&t, &t.base_url, "DJ Euro").await;
    let usd = TipJarEvent {
        id: "evt_c_usd",
        payment_id: "pay_c_usd",
        currency: "usd",
        reference: &c.reference,
        ..yen
    };
    assert_eq!(usd.post_to(&t, &euro_app.base_url).await, 200);
    assert_eq!(revenue(&t, c.dj).await, (0, 0, 0));
    let eur = TipJarEvent {
        id: "evt_c_eur",
        payment_id: "pay_c_eur",
        currency: "eur",
        ..usd
    };
    assert_eq!(eur.post_to(&t, &euro_app.base_url).await, 200);
    assert_eq!(revenue(&t, c.dj).await, (5_000, 750, 4_250));
    assert_eq!(foreign_payments(&t).await.len(), 2);
}
