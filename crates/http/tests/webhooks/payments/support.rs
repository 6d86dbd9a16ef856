//! Shared helpers: fixed data, bookings, request and ledger reads, webhooks.

use axum::http::HeaderMap;
use djcalls_app::Clock;
use djcalls_app::payments::SessionRequest;
use djcalls_app::records::DbTime;
use djcalls_domain::{CallId, DjProfileId};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};
use uuid::Uuid;

pub const CALLER: &str = "+14155550123";

pub const CALLER_DIGITS: &str = "4155550123";

pub const STRIPE_SECRET: &str = "whsec_test_0123456789abcdef";

pub const RANGE: &str = "start_date=2026-06-01&end_date=2026-06-30";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn now(t: &TestApp) -> i64 {
    t.clock.now().as_second()
}

/// A DJ with one answered call from `CALLER` and its payment link.
pub struct Booking {
    pub dj: DjProfileId,
    pub call: CallId,
    pub token: String,
    pub reference: String,
}

pub async fn booking(t: &TestApp, base_url: &str, dj_name: &str) -> Booking {
    let dj = DjProfileId(Uuid::new_v4());
    let slug = format!("dj-{}", &dj.0.simple().to_string()[..8]);
    let response = client()
        .put(format!("{base_url}/api/djdash/profiles/{dj}"))
        .bearer_auth(t.service_key())
        .json(&json!({"dj_name": dj_name, "dj_slug": slug, "is_published": true}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let response = client()
        .post(format!("{base_url}/api/djdash/calls"))
        .bearer_auth(t.service_key())
        .json(&json!({
            "dj_profile_id": dj.to_string(),
            "caller_number": CALLER,
            "call_duration_seconds": 120,
            "call_status": "completed",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let call = CallId(body["call"]["id"].as_str().unwrap().parse().unwrap());
    let token = format!("t{}", Uuid::new_v4().simple());
    let reference = format!("ref_{}", Uuid::new_v4().simple());
    let link =
        t.db.store
            .ensure_payment_link(call, dj, &token, &reference, DbTime(t.clock.now()))
            .await
            .unwrap();
    assert_eq!((link.token.as_str(), link.opens), (token.as_str(), 0));
    Booking {
        dj,
        call,
        token,
        reference,
    }
}

pub async fn call_json(t: &TestApp, call: CallId) -> Value {
    let response = client()
        .get(t.url(&format!("/api/djdash/calls/{call}")))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["call"].clone()
}

/// (received, amount dollars, amount cents, booked) of a call.
pub async fn money(t: &TestApp, call: CallId) -> (bool, Value, i64, bool) {
    let c = call_json(t, call).await;
    (
        c["tipjar_payment_received"].as_bool().unwrap(),
        c["tipjar_payment_amount"].clone(),
        c["tipjar_payment_amount_cents"].as_i64().unwrap(),
        c["is_booked"].as_bool().unwrap(),
    )
}

/// (totalRevenueCents, platformCutCents, djRevenueCents) of one DJ, checking the dollar
/// fields and that cut + DJ share = total.
pub async fn revenue(t: &TestApp, dj: DjProfileId) -> (i64, i64, i64) {
    let response = client()
        .get(t.url(&format!(
            "/api/djdash/calls/analytics?dj_profile_id={dj}&{RANGE}"
        )))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let a = response.json::<Value>().await.unwrap()["analytics"].clone();
    let cents = |k: &str| a[k].as_i64().unwrap();
    let (total, cut, dj_share) = (
        cents("totalRevenueCents"),
        cents("platformCutCents"),
        cents("djRevenueCents"),
    );
    assert_eq!(cut + dj_share, total, "{a}");
    for (dollars, c) in [
        ("totalRevenue", total),
        ("platformCut", cut),
        ("djRevenue", dj_share),
    ] {
        assert!(
            (a[dollars].as_f64().unwrap() - c as f64 / 100.0).abs() < 1e-9,
            "{dollars}: {a}"
        );
    }
    (total, cut, dj_share)
}

pub async fn get(url: &str) -> (u16, HeaderMap, String) {
    let response = client().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

pub fn location(headers: &HeaderMap) -> String {
    headers["location"].to_str().unwrap().to_string()
}

pub async fn opens(t: &TestApp, token: &str) -> i32 {
    t.db.store
        .payment_link_by_token(token)
        .await
        .unwrap()
        .unwrap()
        .opens
}

pub fn session_request(b: &Booking, key: &str) -> SessionRequest {
    SessionRequest {
        reference: b.reference.clone(),
        dj_profile_id: b.dj,
        dj_name: "DJ".into(),
        description: "Booking deposit".into(),
        idempotency_key: key.into(),
        success_url: "http://localhost/done".into(),
        cancel_url: "http://localhost/cancel".into(),
    }
}

pub async fn post_webhook(url: String, header: &str, signature: Option<&str>, body: &str) -> u16 {
    let mut request = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(signature) = signature {
        request = request.header(header, signature);
    }
    request.send().await.unwrap().status().as_u16()
}

pub async fn post_tipjar(t: &TestApp, signature: Option<&str>, body: &str) -> u16 {
    post_webhook(
        t.url("/api/tipjar/webhook"),
        "X-TipJar-Signature",
        signature,
        body,
    )
    .await
}

/// The signature negatives every provider must refuse, for a correctly formed `body` signed by
/// `sign(secret, timestamp, body)`, then the genuine delivery (twice).
pub async fn signature_negatives(
    t: &TestApp,
    b: &Booking,
    post: impl AsyncFn(Option<&str>, &str) -> u16,
    sign: impl Fn(&str, i64, &str) -> String,
    secret: &str,
    body: &str,
    paid_cents: i64,
) {
    let now = now(t);
    let tampered = body.replace(&paid_cents.to_string(), &(paid_cents * 10).to_string());
    assert_ne!(tampered, body);
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("wrong secret", Some(sign("whsec_wrong", now, body)), body),
        ("stale timestamp", Some(sign(secret, now - 301, body)), body),
        (
            "future timestamp",
            Some(sign(secret, now + 301, body)),
            body,
        ),
        ("tampered body", Some(sign(secret, now, body)), &tampered),
        ("missing header", None, body),
        ("malformed header", Some("garbage".to_string()), body),
        (
            "no v1",
            Some(format!("t={now},v0={}", "0".repeat(64))),
            body,
        ),
    ];
    for (case, signature, sent) in cases {
        assert_eq!(post(signature.as_deref(), sent).await, 400, "{case}");
        assert_eq!(
            money(t, b.call).await,
            (false, Value::Null, 0, false),
            "{case}"
        );
    }
    assert_eq!(revenue(t, b.dj).await, (0, 0, 0));
    // Within the tolerance, and any v1 may match; then the same event again.
    let good = format!("{},v1={}", sign(secret, now - 299, body), "ab".repeat(32));
    assert_eq!(post(Some(&good), body).await, 200);
    assert_eq!(post(Some(&sign(secret, now, body)), body).await, 200);
    let (received, _, cents, booked) = money(t, b.call).await;
    assert_eq!((received, cents, booked), (true, paid_cents, true));
}

/// A TipJar event as the tests send it. The event id is the refund key of a
/// `payment.refunded`: the same id is a redelivery.
pub struct TipJarEvent<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub payment_id: &'a str,
    pub cents: i64,
    pub currency: &'a str,
    pub reference: &'a str,
}

impl TipJarEvent<'_> {
    /// Signs (simulator secret, `t`'s clock) and posts the event to the app at `base_url`.
    pub async fn post_to(&self, t: &TestApp, base_url: &str) -> u16 {
        let body = json!({
            "id": self.id,
            "type": self.kind,
            "data": {"payment_id": self.payment_id, "amount_cents": self.cents,
                     "currency": self.currency, "reference": self.reference}
        })
        .to_string();
        let secret = secrecy::SecretString::from(djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET);
        let signature =
            djcalls_app::payments::sign_tipjar_payload(&secret, now(t), body.as_bytes());
        let url = format!("{base_url}/api/tipjar/webhook");
        post_webhook(url, "X-TipJar-Signature", Some(&signature), &body).await
    }
}

/// Posts a TipJar event to `t`; returns the status.
pub async fn tipjar_event(
    t: &TestApp,
    id: &str,
    kind: &str,
    payment_id: &str,
    cents: i64,
    currency: &str,
    reference: &str,
) -> u16 {
    let event = TipJarEvent {
        id,
        kind,
        payment_id,
        cents,
        currency,
        reference,
    };
    event.post_to(t, &t.base_url).await
}
