//! Browser protections on pages and API answers (issue 10): no framing, a CSP, nothing
//! stored by caches where caller details are shown, HSTS behind https — and the widget script
//! still loadable from any site.

use super::*;

#[tokio::test]
async fn pages_refuse_framing_and_caching_and_the_widget_stays_embeddable() {
    let app = seeded().await;
    let dj = login(&app, SPARKLE).await;
    let calls = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await;
    let call = calls[0]["id"].as_str().unwrap();
    for path in [
        "/login".to_string(),
        "/dashboard".to_string(),
        format!("/dashboard/calls/{call}"),
    ] {
        let r = dj.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "frame-ancestors 'none'",
            "script-src 'self'",
            "style-src 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(!h.contains_key("strict-transport-security"), "plain http");
    }
    // The API's answers with caller details.
    let r = app
        .client
        .get(app.url("/api/djdash/calls"))
        .bearer_auth(app.service_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    // The widget script is embedded by other sites: no page policy, its own caching.
    let r = app.client.get(app.url("/dni.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("x-frame-options"));
    assert!(!r.headers().contains_key("content-security-policy"));
    assert_ne!(r.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = seeded().await;
    let https = TestApp::builder()
        .settings(|s| s.public_base_url = "https://calls.example.com".to_string())
        .serve_beside(&app)
        .await;
    let r = app.client.get(https.url("/login")).send().await.unwrap();
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let r = app.client.get(https.url("/healthz")).send().await.unwrap();
    assert!(r.headers().contains_key("strict-transport-security"));
}
