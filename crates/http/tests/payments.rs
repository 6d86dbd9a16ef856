//! Payment links and payment webhooks end to end (SPEC §8, issue 4 parts 4–5): `/pay/<token>`
//! with the simulator, a fake Stripe and a fake TipJar; the simulated checkout page; Stripe and
//! TipJar webhooks with their signature negatives; the ledger as the API shows it (the call's
//! payment fields and the analytics figures). The real app on a real port; the stories that
//! write the ledger run on SQLite and (when a server answers) PostgreSQL.
#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use djcalls_app::payments::{
    PaymentLinks, SessionRequest, StripeClient, StripeConfig, TipJarClient, TipJarConfig,
    sign_stripe_payload, sign_tipjar_payload,
};
use djcalls_app::records::DbTime;
use djcalls_app::{App, Clock, Settings};
use djcalls_domain::{Actor, CallId, Cents, DjProfileId};
use djcalls_testkit::TestApp;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Runs `story(TestApp)` from `<name>::on_sqlite` and `<name>::on_postgres`.
macro_rules! on_both_backends {
    ($($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$story(djcalls_testkit::TestApp::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(t) = djcalls_testkit::TestApp::postgres().await else {
                    return;
                };
                super::$story(t).await;
            }
        }
    )+};
}

on_both_backends! {
    a_link_redirects_to_the_simulator_and_counts_opens => link_redirects_and_counts;
    the_simulated_checkout_pays_through_the_webhook_path => simulated_flow;
    the_cut_is_rounded_half_up_per_payment => rounding_table;
    tipjar_signature_negatives_write_nothing => tipjar_negatives;
    tipjar_refunds_subtract_once_each => tipjar_refunds;
    stripe_payments_and_cumulative_refunds_net_out => stripe_refunds;
    stripe_signature_negatives_write_nothing => stripe_negatives;
}

const CALLER: &str = "+14155550123";
const CALLER_DIGITS: &str = "4155550123";
const STRIPE_SECRET: &str = "whsec_test_0123456789abcdef";
const RANGE: &str = "start_date=2026-06-01&end_date=2026-06-30";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn now(t: &TestApp) -> i64 {
    t.clock.now().as_second()
}

/// A DJ with one answered call from `CALLER` and its payment link.
struct Booking {
    dj: DjProfileId,
    call: CallId,
    token: String,
    reference: String,
}

async fn booking(t: &TestApp, base_url: &str, dj_name: &str) -> Booking {
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
    let link = t
        .app
        .store
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

async fn call_json(t: &TestApp, call: CallId) -> Value {
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
async fn money(t: &TestApp, call: CallId) -> (bool, Value, i64, bool) {
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
async fn revenue(t: &TestApp, dj: DjProfileId) -> (i64, i64, i64) {
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

async fn get(url: &str) -> (u16, HeaderMap, String) {
    let response = client().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn location(headers: &HeaderMap) -> String {
    headers["location"].to_str().unwrap().to_string()
}

async fn opens(t: &TestApp, token: &str) -> i32 {
    t.app
        .store
        .payment_link_by_token(token)
        .await
        .unwrap()
        .unwrap()
        .opens
}

/// Opens the link, follows it to the simulated checkout and pays `amount` there.
async fn pay_simulated(t: &TestApp, b: &Booking, amount: &str) -> String {
    let (status, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 303);
    let checkout = location(&headers);
    let (path, query) = checkout.split_once('?').unwrap();
    let response = client()
        .post(path)
        .form(&[
            ("link", query.strip_prefix("link=").unwrap()),
            ("amount", amount),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Payment received"), "{page}");
    page
}

async fn link_redirects_and_counts(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Nova").await;

    let (status, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 303);
    let first = location(&headers);
    assert!(
        first.starts_with(&format!("{}/pay/simulated/sim_", t.base_url)),
        "{first}"
    );
    assert!(first.ends_with(&format!("?link={}", b.token)), "{first}");
    assert!(!first.contains(CALLER_DIGITS));
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(opens(&t, &b.token).await, 1);

    // The simulator got our reference, the DJ's name, our return pages, and nothing personal.
    let session_id = first.rsplit('/').next().unwrap().split('?').next().unwrap();
    let request = t.payments.lookup(session_id).unwrap();
    assert_eq!(request.reference, b.reference);
    assert_eq!(request.dj_profile_id, b.dj);
    assert_eq!(request.description, "Booking deposit for DJ Nova");
    assert_eq!(
        request.success_url,
        t.url(&format!("/pay/{}/done", b.token))
    );
    assert!(!format!("{request:?}").contains(CALLER_DIGITS));

    // Opened again within the hour: counted, same session. An hour later: a fresh session.
    let (_, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(location(&headers), first);
    assert_eq!(opens(&t, &b.token).await, 2);
    t.clock
        .set(t.clock.now() + jiff::SignedDuration::from_hours(2));
    let (status, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 303);
    assert_ne!(location(&headers), first);
    assert_eq!(opens(&t, &b.token).await, 3);

    // The simulated page shows a form and pays nothing on GET.
    let (status, headers, page) = get(&first).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.contains("method=\"post\"") && page.contains("name=\"amount\""));
    assert!(page.contains("value=\"100.00\"") && page.contains(">Pay<"));
    assert!(page.contains("Booking deposit for DJ Nova"));
    assert!(!money(&t, b.call).await.0);

    // The return pages.
    let (status, _, page) = get(&t.url(&format!("/pay/{}/done", b.token))).await;
    assert_eq!(status, 200);
    assert!(page.contains("Thank you"));
    let (status, _, page) = get(&t.url(&format!("/pay/{}/cancelled", b.token))).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/pay/{}\"", b.token)));

    // Unknown, malformed and revoked tokens: a friendly 404 page, nothing counted.
    for token in ["nope", "t0000000000000000000000000000000", "bad%20token"] {
        let (status, headers, page) = get(&t.url(&format!("/pay/{token}"))).await;
        assert_eq!(status, 404, "{token}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(page.contains("not valid"), "{page}");
        assert!(
            !page.contains("internal") && !page.contains("sqlx"),
            "{page}"
        );
    }
    assert!(
        t.app
            .store
            .revoke_payment_link(&Actor::System, b.call, DbTime(t.clock.now()))
            .await
            .unwrap()
    );
    let (status, _, page) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 404);
    assert!(page.contains("not valid"));
    assert_eq!(opens(&t, &b.token).await, 3);
    // A revoked link's simulated checkout is gone too.
    let (status, _, _) = get(&first).await;
    assert_eq!(status, 404);
}

async fn simulated_flow(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Pay").await;
    assert_eq!(money(&t, b.call).await, (false, Value::Null, 0, false));

    let page = pay_simulated(&t, &b, "150.00").await;
    assert!(page.contains("$150.00"));
    assert_eq!(money(&t, b.call).await, (true, json!(150.0), 15_000, true));
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // Paying the same session again (a double submit) records once.
    pay_simulated(&t, &b, "150.00").await;
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // A bad amount shows the form again with a message; nothing is paid.
    let (_, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    let checkout = location(&headers);
    let (path, _) = checkout.split_once('?').unwrap();
    for bad in ["", "0", "-5", "abc", "1.234"] {
        let response = client()
            .post(path)
            .form(&[("link", b.token.as_str()), ("amount", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        assert!(response.text().await.unwrap().contains("Enter an amount"));
    }
    // A session id that does not exist, or a link that is not this one: 404.
    let response = client()
        .post(t.url("/pay/simulated/sim_00000000000000000000000000000000"))
        .form(&[("link", "tnope"), ("amount", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // The call's analytics counters follow.
    let response = client()
        .get(t.url(&format!(
            "/api/djdash/calls/analytics?dj_profile_id={}&{RANGE}",
            b.dj
        )))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap();
    let a = response.json::<Value>().await.unwrap()["analytics"].clone();
    assert_eq!(a["bookedCalls"], 1);
    assert_eq!(a["tipjarPaymentsReceived"], 1);
}

async fn rounding_table(t: TestApp) {
    for (amount, total, cut) in [
        ("150.00", 15_000, 2_250),
        ("99.90", 9_990, 1_499),
        ("0.05", 5, 1),
    ] {
        let b = booking(&t, &t.base_url, "DJ Round").await;
        pay_simulated(&t, &b, amount).await;
        assert_eq!(
            revenue(&t, b.dj).await,
            (total, cut, total - cut),
            "{amount}"
        );
    }
    // Many payments to one DJ: the cut is per payment, and cut + share = total exactly.
    let b = booking(&t, &t.base_url, "DJ Many").await;
    let mut expected = (0, 0);
    for (i, cents) in [1_i64, 3, 7, 33, 99, 101, 1_234, 9_999, 10_001, 123_457]
        .into_iter()
        .enumerate()
    {
        let session = t
            .payments
            .create_session(&session_request(&b, &format!("many-{i}")))
            .await
            .unwrap();
        let session_id = session.rsplit('/').next().unwrap();
        let hook = t
            .payments
            .payment_succeeded_webhook(session_id, Cents(cents), now(&t))
            .unwrap();
        assert_eq!(
            post_tipjar(&t, Some(&hook.header_value), &hook.body).await,
            200
        );
        expected.0 += cents;
        expected.1 += (cents * 15 * 2 + 100) / 200;
    }
    assert_eq!(
        revenue(&t, b.dj).await,
        (expected.0, expected.1, expected.0 - expected.1)
    );
}

fn session_request(b: &Booking, key: &str) -> SessionRequest {
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

async fn post_webhook(url: String, header: &str, signature: Option<&str>, body: &str) -> u16 {
    let mut request = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(signature) = signature {
        request = request.header(header, signature);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn post_tipjar(t: &TestApp, signature: Option<&str>, body: &str) -> u16 {
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
async fn signature_negatives(
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
    assert_eq!((received, cents, booked), (true, 0, true));
}

/// The same app with other settings and payments, on its own port.
struct Variant {
    base_url: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Variant {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn variant(
    t: &TestApp,
    edit: impl FnOnce(&mut Settings),
    payments: Option<Arc<dyn PaymentLinks>>,
) -> Variant {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let mut settings = (*t.app.settings).clone();
    settings.public_base_url = base_url.clone();
    edit(&mut settings);
    let mut app: App = t.app.clone();
    app.settings = Arc::new(settings);
    if let Some(payments) = payments {
        app.payments = payments;
    }
    let router = djcalls_http::router(app);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Variant { base_url, server }
}

async fn with_stripe_secret(t: &TestApp) -> Variant {
    variant(
        t,
        |s| s.stripe_webhook_secret = Some(SecretString::from(STRIPE_SECRET.to_string())),
        None,
    )
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
    assert_eq!(
        (received, amount, cents, booked),
        (true, json!(0.0), 0, true)
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

// ---------------------------------------------------------------------------------------------
// Fake providers over HTTP.

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// When non-zero, every request is answered with this status.
    fail_with: Arc<AtomicU16>,
}

impl Fake {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve_fake(
    fake: Fake,
    answer: fn(&str) -> Value,
) -> (String, tokio::task::JoinHandle<()>) {
    let handler = move |State(fake): State<Fake>, uri: Uri, headers: HeaderMap, body: Bytes| async move {
        fake.seen.lock().unwrap().push(Seen {
            path: uri.path().to_string(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let fail = fake.fail_with.load(Ordering::SeqCst);
        if fail != 0 {
            let status = StatusCode::from_u16(fail).unwrap();
            return (
                status,
                axum::Json(json!({"error": {"type": "api_error", "message": "down"}})),
            )
                .into_response();
        }
        axum::Json(answer(uri.path())).into_response()
    };
    let router: Router = Router::new().fallback(handler).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, server)
}

fn stripe_answer(path: &str) -> Value {
    match path {
        "/v1/prices" => json!({"id": "price_fake_1", "object": "price"}),
        "/v1/checkout/sessions" => json!({
            "id": "cs_fake_1",
            "object": "checkout.session",
            "url": "https://checkout.stripe.test/c/pay/cs_fake_1"
        }),
        _ => json!({"error": {"type": "invalid_request_error"}}),
    }
}

fn tipjar_answer(_: &str) -> Value {
    json!({"paymentUrl": "https://tipjar.test/pay/sess_42"})
}

fn assert_nothing_personal(seen: &[Seen]) {
    for s in seen {
        let headers = format!("{:?}", s.headers);
        for text in [&s.path, &s.body, &headers] {
            assert!(!text.contains(CALLER_DIGITS), "{text}");
            assert!(!text.contains("%2B1415"), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn opening_a_link_makes_a_stripe_checkout_session() {
    let t = TestApp::sqlite().await;
    let fake = Fake::default();
    let (stripe_url, _stripe) = serve_fake(fake.clone(), stripe_answer).await;
    let mut config = StripeConfig::new(SecretString::from("sk_test_fake".to_string()));
    config.api_base_url = stripe_url;
    let stripe: Arc<dyn PaymentLinks> = Arc::new(StripeClient::new(config).unwrap());
    let v = variant(&t, |_| {}, Some(stripe)).await;
    let b = booking(&t, &v.base_url, "DJ Checkout").await;

    let (status, headers, _) = get(&format!("{}/pay/{}", v.base_url, b.token)).await;
    assert_eq!(status, 303);
    assert_eq!(
        location(&headers),
        "https://checkout.stripe.test/c/pay/cs_fake_1"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let seen = fake.seen();
    assert_eq!(
        seen.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(),
        ["/v1/prices", "/v1/checkout/sessions"]
    );
    let session = &seen[1];
    let form: Vec<(String, String)> = form_urlencoded::parse(session.body.as_bytes())
        .into_owned()
        .collect();
    let field = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("client_reference_id"), Some(b.reference.clone()));
    assert_eq!(field("line_items[0][price]"), Some("price_fake_1".into()));
    assert_eq!(
        field("success_url"),
        Some(format!("{}/pay/{}/done", v.base_url, b.token))
    );
    assert_eq!(
        field("payment_intent_data[description]"),
        Some("Booking deposit for DJ Checkout".into())
    );
    for s in &seen {
        assert_eq!(s.headers["authorization"], "Bearer sk_test_fake");
        assert!(s.headers.contains_key("stripe-version"));
    }
    let key = session.headers["idempotency-key"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        key.starts_with("paylink-") && key.ends_with("-session"),
        "{key}"
    );
    assert_nothing_personal(&seen);

    // Re-opened: the same idempotency keys (Stripe answers with the same session).
    let (status, _, _) = get(&format!("{}/pay/{}", v.base_url, b.token)).await;
    assert_eq!(status, 303);
    let seen = fake.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3].headers["idempotency-key"], key.as_str());
    assert_eq!(opens(&t, &b.token).await, 2);

    // Stripe down: a friendly 502 page that is not cached; once Stripe is back, the link works.
    fake.fail_with.store(503, Ordering::SeqCst);
    let (status, headers, page) = get(&format!("{}/pay/{}", v.base_url, b.token)).await;
    assert_eq!(status, 502);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert!(page.contains("try again in a minute"), "{page}");
    assert!(!page.contains("stripe") && !page.contains("503"), "{page}");
    fake.fail_with.store(400, Ordering::SeqCst);
    let (status, _, _) = get(&format!("{}/pay/{}", v.base_url, b.token)).await;
    assert_eq!(status, 502);
    fake.fail_with.store(0, Ordering::SeqCst);
    let (status, headers, _) = get(&format!("{}/pay/{}", v.base_url, b.token)).await;
    assert_eq!(status, 303);
    assert!(location(&headers).starts_with("https://checkout.stripe.test/"));
    assert_nothing_personal(&fake.seen());

    // With Stripe as the provider the simulator's page does not exist.
    let (status, _, _) = get(&format!(
        "{}/pay/simulated/sim_00000000000000000000000000000000?link={}",
        v.base_url, b.token
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn opening_a_link_makes_a_tipjar_session() {
    let t = TestApp::sqlite().await;
    let fake = Fake::default();
    let (tipjar_url, _tipjar) = serve_fake(fake.clone(), tipjar_answer).await;
    let tipjar: Arc<dyn PaymentLinks> = Arc::new(
        TipJarClient::new(TipJarConfig::new(
            format!("{tipjar_url}/sessions"),
            SecretString::from("tj_key_fake".to_string()),
        ))
        .unwrap(),
    );
    let v = variant(&t, |_| {}, Some(tipjar)).await;
    let b = booking(&t, &v.base_url, "DJ Tip").await;

    let (status, headers, _) = get(&format!("{}/pay/{}", v.base_url, b.token)).await;
    assert_eq!(status, 303);
    assert_eq!(location(&headers), "https://tipjar.test/pay/sess_42");
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/sessions");
    assert_eq!(seen[0].headers["authorization"], "Bearer tj_key_fake");
    let body: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "dj_profile_id": b.dj.to_string(),
            "reference": b.reference,
            "description": "Booking deposit for DJ Tip",
            "amount": null,
        })
    );
    assert_nothing_personal(&seen);
    assert_eq!(opens(&t, &b.token).await, 1);

    // TipJar answering without a paymentUrl: 502, friendly.
    let (bad_url, _bad) = serve_fake(Fake::default(), |_| json!({"ok": true})).await;
    let broken: Arc<dyn PaymentLinks> = Arc::new(
        TipJarClient::new(TipJarConfig::new(
            bad_url,
            SecretString::from("k".to_string()),
        ))
        .unwrap(),
    );
    let w = variant(&t, |_| {}, Some(broken)).await;
    let (status, _, page) = get(&format!("{}/pay/{}", w.base_url, b.token)).await;
    assert_eq!(status, 502);
    assert!(page.contains("try again"));
}
