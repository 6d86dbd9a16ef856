//! The phone widget over HTTP (SPEC §7): `/dni.js` and its cache headers, CORS of the public
//! widget endpoints, `POST /api/djdash/clicks` validation and rate limit, and the attribution
//! of a call to the click before it.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_http::widget;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::TestApp;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tower::ServiceExt;

const CALLER: &str = "+14155550123";

fn click_body(dj: DjProfileId) -> Value {
    json!({
        "dj_profile_id": dj,
        "page_url": "https://www.thebash.com/dj/spin-city?utm_source=google&gclid=abc123",
        "referrer": "https://www.google.com/",
        "visitor_id": "3f1c2b9e-7d4a-4c1e-9b7a-2d5e8f0a1b2c",
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "summer-weddings",
        "utm_term": "wedding dj",
        "utm_content": "ad-1",
        "gclid": "abc123",
        "some_future_field": 1,
    })
}

async fn post_click(
    t: &TestApp,
    body: &str,
    content_type: &str,
    forwarded_for: &str,
) -> reqwest::Response {
    t.client
        .post(t.url("/api/djdash/clicks"))
        .header("content-type", content_type)
        .header("x-forwarded-for", forwarded_for)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn clicks(t: &TestApp, dj: DjProfileId) -> Vec<djcalls_app::clicks::ClickRecord> {
    t.app.recent_clicks(&Actor::System, dj, 100).await.unwrap()
}

async fn call(t: &TestApp, to: &PhoneNumber) {
    let s = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse(CALLER).unwrap(),
        to.clone(),
    );
    let answers = deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    assert!(
        answers
            .iter()
            .all(|(_, status)| (200..300).contains(status)),
        "{answers:?}"
    );
}

fn advance(t: &TestApp, by: SignedDuration) {
    let now: Timestamp = t.app.clock.now();
    t.clock.set(now.checked_add(by).unwrap());
}

#[tokio::test]
async fn the_script_is_served_with_a_version_and_cache_headers() {
    let t = TestApp::sqlite().await;
    let r = t.client.get(t.url("/dni.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(h["cache-control"], "public, max-age=300");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let etag = h["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", widget::script_version()));
    let body = r.text().await.unwrap();
    assert_eq!(body, widget::SCRIPT);
    assert!(body.contains("djdash-phone") && body.contains("sendBeacon"));

    // Revalidation answers 304 without the body.
    let r = t
        .client
        .get(t.url("/dni.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"], etag.as_str());

    // The versioned URL is cached for good; an old version is not.
    let r = t
        .client
        .get(t.url(&widget::script_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let r = t.client.get(t.url("/dni.js?v=0000")).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
}

#[tokio::test]
async fn widget_endpoints_allow_any_origin_by_default() {
    let t = TestApp::sqlite().await;
    let (dj, number) = t
        .dj_with_number("cors-dj", "Cors DJ", "America/New_York")
        .await;
    let r = t
        .client
        .get(t.url(&format!("/api/djdash/dni?ids={dj}")))
        .header("origin", "https://www.thebash.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["numbers"][dj.to_string()]["virtual_number"],
        number.as_str()
    );
    assert!(!body.to_string().contains(djcalls_testkit::DJ_REAL_NUMBER));

    // A preflight for a JSON click is answered.
    let r = t
        .client
        .request(reqwest::Method::OPTIONS, t.url("/api/djdash/clicks"))
        .header("origin", "https://www.thebash.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let methods = r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
}

#[tokio::test]
async fn a_configured_origin_list_allows_only_those_origins() {
    // The layer the router applies, for DJCALLS_ALLOWED_ORIGINS="https://www.thebash.com, …"
    // (the process environment is shared by the tests, so the value is passed in directly).
    let layer = widget::cors_layer("https://www.thebash.com, https://dj.example/");
    let service = Router::new()
        .route("/api/djdash/dni", get(|| async { "{}" }))
        .layer(layer);
    let ask = |origin: &'static str, method: &'static str| {
        let mut req = Request::builder()
            .method(method)
            .uri("/api/djdash/dni")
            .header("origin", origin);
        if method == "OPTIONS" {
            req = req.header("access-control-request-method", "GET");
        }
        service.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    let allowed = ask("https://www.thebash.com", "GET").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.thebash.com"
    );
    assert!(
        allowed.headers()["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("origin")
    );
    let allowed = ask("https://dj.example", "OPTIONS").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dj.example"
    );
    let denied = ask("https://evil.example", "GET").await.unwrap();
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let denied = ask("https://evil.example", "OPTIONS").await.unwrap();
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    // The click endpoint's own origin check uses the same list.
    let origins = widget::AllowedOrigins::parse("https://www.thebash.com");
    assert!(origins.allows("https://www.thebash.com"));
    assert!(!origins.allows("https://evil.example"));
}

#[tokio::test]
async fn a_click_is_stored_with_the_server_time() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("click-dj", "Click DJ", "America/New_York")
        .await;
    // As sendBeacon sends a string: text/plain.
    let r = post_click(
        &t,
        &click_body(dj).to_string(),
        "text/plain;charset=UTF-8",
        "198.51.100.1",
    )
    .await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let stored = clicks(&t, dj).await;
    assert_eq!(stored.len(), 1);
    let c = &stored[0];
    assert_eq!(c.clicked_at.0, t.app.clock.now());
    assert_eq!(c.utm_campaign.as_deref(), Some("summer-weddings"));
    assert_eq!(c.gclid.as_deref(), Some("abc123"));
    assert_eq!(c.referrer.as_deref(), Some("https://www.google.com/"));
    // And as application/json, with only the id.
    let r = post_click(
        &t,
        &json!({"dj_profile_id": dj}).to_string(),
        "application/json",
        "198.51.100.1",
    )
    .await;
    assert_eq!(r.status(), 202);
    assert_eq!(clicks(&t, dj).await.len(), 2);
}

#[tokio::test]
async fn bad_clicks_are_refused_with_the_field_named() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("bad-click", "Bad Click", "America/New_York")
        .await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"dj_profile_id": "not-a-uuid"}), "dj_profile_id"),
        (json!({"page_url": "https://x.example/"}), "dj_profile_id"),
        (
            json!({"dj_profile_id": dj, "page_url": "javascript:alert(1)"}),
            "page_url",
        ),
        (
            json!({"dj_profile_id": dj, "page_url": format!("https://x.example/{}", "a".repeat(2048))}),
            "page_url",
        ),
        (
            json!({"dj_profile_id": dj, "utm_source": "x".repeat(300)}),
            "utm_source",
        ),
        (
            json!({"dj_profile_id": dj, "visitor_id": "<script>"}),
            "visitor_id",
        ),
        (json!({"dj_profile_id": dj, "gclid": 5}), "gclid"),
    ];
    for (body, field) in cases {
        let r = post_click(&t, &body.to_string(), "application/json", "198.51.100.2").await;
        assert_eq!(r.status(), 400, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["success"], false);
        assert_eq!(e["field"], field, "{body} → {e}");
    }
    let r = post_click(&t, "{", "application/json", "198.51.100.2").await;
    assert_eq!(r.status(), 400);
    let r = post_click(
        &t,
        &json!({"dj_profile_id": dj}).to_string(),
        "application/x-www-form-urlencoded",
        "198.51.100.2",
    )
    .await;
    assert_eq!(r.status(), 415);
    // Larger than the 8 KiB click limit (but well under the global 64 KiB).
    let big = json!({"dj_profile_id": dj, "padding": "x".repeat(9000)}).to_string();
    let r = post_click(&t, &big, "application/json", "198.51.100.2").await;
    assert_eq!(r.status(), 413);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "payload_too_large");
    assert!(clicks(&t, dj).await.is_empty());
}

#[tokio::test]
async fn a_click_for_an_unknown_profile_is_accepted_and_ignored() {
    let t = TestApp::sqlite().await;
    let unknown = DjProfileId(uuid::Uuid::new_v4());
    let r = post_click(
        &t,
        &click_body(unknown).to_string(),
        "application/json",
        "198.51.100.3",
    )
    .await;
    assert_eq!(r.status(), 202);
    assert!(clicks(&t, unknown).await.is_empty());
}

#[tokio::test]
async fn clicks_are_rate_limited_per_client() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("busy-dj", "Busy DJ", "America/New_York")
        .await;
    let body = json!({"dj_profile_id": dj}).to_string();
    let mut limited = None;
    for i in 0..40 {
        let r = post_click(&t, &body, "application/json", "203.0.113.9").await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, r));
            break;
        }
        assert_eq!(r.status(), 202);
    }
    let (i, r) = limited.expect("no 429 after 40 clicks from one client");
    assert_eq!(i, 20, "the burst is 20 clicks");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["success"], false);
    assert_eq!(e["code"], "rate_limited");
    // Another client is not affected; the proxy's last hop is the client.
    let r = post_click(&t, &body, "application/json", "203.0.113.9, 192.0.2.10").await;
    assert_eq!(r.status(), 202);
    assert_eq!(clicks(&t, dj).await.len(), 21);
}

#[tokio::test]
async fn a_foreign_origin_cannot_record_clicks_when_origins_are_configured() {
    // With the default (`*`) every origin may; the guard itself is unit-tested with a list.
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("origin-dj", "Origin DJ", "America/New_York")
        .await;
    let r = t
        .client
        .post(t.url("/api/djdash/clicks"))
        .header("origin", "https://anyone.example")
        .header("content-type", "text/plain")
        .body(json!({"dj_profile_id": dj}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

async fn attribution_after_click(t: &TestApp) {
    let (dj, number) = t
        .dj_with_number("attributed", "Attributed DJ", "America/Chicago")
        .await;
    let (other, _) = t
        .dj_with_number("other-dj", "Other DJ", "America/Chicago")
        .await;
    // A click on another DJ's widget never counts for this DJ.
    post_click(
        t,
        &click_body(other).to_string(),
        "application/json",
        "192.0.2.1",
    )
    .await;
    let r = post_click(t, &click_body(dj).to_string(), "text/plain", "192.0.2.1").await;
    assert_eq!(r.status(), 202);
    let clicked_at = t.app.clock.now();
    advance(t, SignedDuration::from_mins(2));
    call(t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    let a = &calls[0]["attribution"];
    assert_eq!(a["confidence"], "high", "{a}");
    assert_eq!(a["dj_profile_id"], dj.to_string());
    assert_eq!(
        a["page_url"],
        "https://www.thebash.com/dj/spin-city?utm_source=google&gclid=abc123"
    );
    assert_eq!(a["referrer"], "https://www.google.com/");
    assert_eq!(a["visitor_id"], "3f1c2b9e-7d4a-4c1e-9b7a-2d5e8f0a1b2c");
    assert_eq!(a["utm_source"], "google");
    assert_eq!(a["utm_medium"], "cpc");
    assert_eq!(a["utm_campaign"], "summer-weddings");
    assert_eq!(a["utm_term"], "wedding dj");
    assert_eq!(a["utm_content"], "ad-1");
    assert_eq!(a["gclid"], "abc123");
    assert_eq!(
        a["clicked_at"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap(),
        clicked_at
    );

    // A second visitor clicks, and 15 minutes later a call comes: linked, but only "low".
    let mut second = click_body(dj);
    second["visitor_id"] = json!("visitor-two");
    post_click(t, &second.to_string(), "application/json", "192.0.2.2").await;
    advance(t, SignedDuration::from_mins(15));
    call(t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 2);
    let newest = calls
        .iter()
        .find(|c| c["attribution"]["visitor_id"] == "visitor-two")
        .expect("the second call is linked to the second click");
    assert_eq!(newest["attribution"]["confidence"], "low");
    // The first call's attribution did not change.
    assert!(
        calls
            .iter()
            .any(|c| c["attribution"]["confidence"] == "high")
    );
}

#[tokio::test]
async fn a_call_after_a_click_carries_its_attribution_sqlite() {
    attribution_after_click(&TestApp::sqlite().await).await;
}

#[tokio::test]
async fn a_call_after_a_click_carries_its_attribution_postgres() {
    let Some(t) = TestApp::postgres().await else {
        return;
    };
    attribution_after_click(&t).await;
}

#[tokio::test]
async fn a_call_without_a_recent_click_has_no_attribution() {
    let t = TestApp::sqlite().await;
    let (dj, number) = t.dj_with_number("unclicked", "Unclicked DJ", "UTC").await;
    call(&t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    assert!(calls[0]["attribution"].is_null(), "{}", calls[0]);
    // A click older than 30 minutes is not linked either.
    post_click(
        &t,
        &click_body(dj).to_string(),
        "application/json",
        "192.0.2.3",
    )
    .await;
    advance(&t, SignedDuration::from_mins(31));
    call(&t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c["attribution"].is_null()));
}
