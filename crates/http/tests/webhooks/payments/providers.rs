//! Opening a link with a fake Stripe and a fake TipJar over HTTP, and what they are sent.

use super::support::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use djcalls_app::payments::{PaymentLinks, StripeClient, StripeConfig, TipJarClient, TipJarConfig};
use djcalls_testkit::TestApp;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

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
    let v = TestApp::builder().payments(stripe).serve_beside(&t).await;
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
    let v = TestApp::builder().payments(tipjar).serve_beside(&t).await;
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
    let w = TestApp::builder().payments(broken).serve_beside(&t).await;
    let (status, _, page) = get(&format!("{}/pay/{}", w.base_url, b.token)).await;
    assert_eq!(status, 502);
    assert!(page.contains("try again"));
}
