//! Operations: health, readiness, metrics, request ids, and JSON 404s for unknown API paths.

use super::support::{DJ_A, get, raw};
use djcalls_domain::Role;
use djcalls_testkit::TestApp;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let t = TestApp::sqlite().await;
    let reply = raw(&t, Method::GET, "/healthz", None, None, None).await;
    assert_eq!(reply.status, 200);
    let reply = raw(&t, Method::GET, "/readyz", None, None, None).await;
    assert_eq!(reply.status, 200);
    // At least one API request has been counted by the time /metrics renders.
    get(&t, "/api/djdash/calls", t.service_key()).await;
    let reply = raw(
        &t,
        Method::GET,
        "/metrics",
        Some(t.service_key()),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, 200);
    let text = reply.body.as_str().expect("prometheus text");
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(
        reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain")),
        "{:?}",
        reply.headers
    );
}

#[tokio::test]
async fn metrics_are_for_operators_and_their_labels_stay_bounded() {
    let t = TestApp::sqlite().await;
    let dj = t.user_token("dj@example.test", Role::Dj, &[DJ_A]).await;
    let admin = t.user_token("admin@example.test", Role::Admin, &[]).await;
    let scraper = TestApp::builder()
        .settings(|s| s.metrics_token = Some(SecretString::from("scrape-0123456789".to_string())))
        .serve_beside(&t)
        .await;
    for (token, status) in [
        (None, 401),
        (Some("not-a-token"), 401),
        (Some(dj.as_str()), 401),
        (Some("scrape-0123456789"), 401), // only where METRICS_TOKEN is set
        (Some(admin.as_str()), 200),
        (Some(t.service_key()), 200),
    ] {
        let reply = raw(&t, Method::GET, "/metrics", token, None, None).await;
        assert_eq!(reply.status, status, "{token:?}");
    }
    let reply = t
        .client
        .get(scraper.url("/metrics"))
        .bearer_auth("scrape-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);

    // Odd methods and paths all count under one label each.
    for i in 0..20 {
        let method = Method::from_bytes(format!("ODD{i}").as_bytes()).unwrap();
        raw(&t, method, &format!("/odd/path/{i}"), None, None, None).await;
    }
    let reply = raw(
        &t,
        Method::GET,
        "/metrics",
        Some(t.service_key()),
        None,
        None,
    )
    .await;
    let text = reply.body.as_str().expect("prometheus text");
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(!text.contains("ODD"), "{text}");
    assert!(!text.contains("/odd/path"), "{text}");
}

/// Method, path, token, body, expected status.
type Probe<'a> = (Method, String, Option<&'a str>, Option<Vec<u8>>, u16);

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let t = TestApp::sqlite().await;
    t.profile(DJ_A, "dj-a").await;
    let cases: Vec<Probe> = vec![
        (Method::GET, "/healthz".into(), None, None, 200),
        (
            Method::GET,
            format!("/api/djdash/profiles/{DJ_A}"),
            Some(t.service_key()),
            None,
            200,
        ),
        (Method::GET, "/api/djdash/calls".into(), None, None, 401),
        (
            Method::GET,
            "/api/djdash/calls?limit=0".into(),
            Some(t.service_key()),
            None,
            400,
        ),
        (
            Method::GET,
            "/api/djdash/no-such-thing".into(),
            None,
            None,
            404,
        ),
        (
            Method::POST,
            "/api/djdash/calls".into(),
            Some(t.service_key()),
            Some(b"x".to_vec()),
            415,
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (method, path, token, body, status) in cases {
        let reply = raw(&t, method.clone(), &path, token, None, body).await;
        assert_eq!(reply.status, status, "{method} {path}");
        let id = reply
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(!id.is_empty(), "{method} {path}: no x-request-id");
        assert!(seen.insert(id), "{method} {path}: request id reused");
    }
    // A caller's own request id is kept and echoed.
    let response = t
        .client
        .get(t.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-me-42")
    );
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_with_the_json_envelope() {
    let t = TestApp::sqlite().await;
    for path in [
        "/api/djdash/nope",
        "/api/nothing",
        "/api/djdash/calls/1/2/3",
    ] {
        let reply = raw(&t, Method::GET, path, Some(t.service_key()), None, None).await;
        reply.assert_error(404, "not_found", None);
        let reply = raw(&t, Method::GET, path, None, None, None).await;
        assert_eq!(reply.status, 404, "{path} without a token");
        assert_eq!(reply.body["success"], json!(false));
    }
    // A known path with a method it does not serve.
    let reply = raw(
        &t,
        Method::DELETE,
        "/api/djdash/calls",
        Some(t.service_key()),
        None,
        None,
    )
    .await;
    reply.assert_error(405, "method_not_allowed", None);
    assert!(reply.headers.get("allow").is_some(), "{:?}", reply.headers);
}
