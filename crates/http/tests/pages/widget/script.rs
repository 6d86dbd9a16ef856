//! `/dni.js` and its cache headers, and CORS of the public widget endpoints.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use djcalls_http::{origins, widget};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};
use tower::ServiceExt;

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
async fn the_script_is_sent_gzipped_to_browsers_that_accept_it() {
    let t = TestApp::sqlite().await;
    let r = t
        .client
        .get(t.url("/dni.js"))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["vary"], "accept-encoding");
    let gzipped = r.bytes().await.unwrap();
    assert!(gzipped.len() <= 3 * 1024, "{} bytes gzipped", gzipped.len());
    let mut script = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut script)
        .unwrap();
    assert_eq!(script, widget::SCRIPT);

    // Without gzip in Accept-Encoding, the plain script.
    let r = t.client.get(t.url("/dni.js")).send().await.unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), widget::SCRIPT);
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
    let layer = origins::cors_layer("https://www.thebash.com, https://dj.example/");
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
    let origins = origins::AllowedOrigins::parse("https://www.thebash.com");
    assert!(origins.allows("https://www.thebash.com"));
    assert!(!origins.allows("https://evil.example"));
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
        .body(json!({"dj_profile_id": dj, "click_token": t.app.click_token(dj)}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}
