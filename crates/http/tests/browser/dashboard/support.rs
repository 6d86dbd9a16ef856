//! Shared helpers: the demo world, keyboard input, signing in, the figures checked against the API.

use djcalls_app::demo::DemoWorld;
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::Page;
use serde_json::Value;

pub const SPARKLE: (&str, &str) = ("sparkle@demo.djcalls.test", "sparkle-demo-pass");

pub const ADMIN: (&str, &str) = ("admin@demo.djcalls.test", "admin-demo-pass");

pub const SPARKLE_ID: &str = "0d1a0000-0000-4000-8000-000000000001";

pub const MARCO_ID: &str = "0d1a0000-0000-4000-8000-000000000002";

/// WebDriver's Tab and Enter keys.
pub const TAB: &str = "\u{e004}";

pub const ENTER: &str = "\u{e007}";

pub fn sparkle() -> DjProfileId {
    DjProfileId(SPARKLE_ID.parse().unwrap())
}

pub async fn seeded() -> TestApp {
    seeded_world().await.0
}

pub async fn seeded_world() -> (TestApp, DemoWorld) {
    let t = TestApp::sqlite().await;
    let world = t.app.seed_demo().await.unwrap();
    (t, world)
}

/// Types `text` into the element the keyboard is on.
pub async fn type_keys(page: &Page, text: &str) {
    page.client
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks into the field `css`, empties it and types `text`, as a person would.
pub async fn fill(page: &Page, css: &str, text: &str) {
    page.click(css).await;
    let field = page.client.active_element().await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Whether the keyboard is on the first element matching `css`.
pub async fn focused(page: &Page, css: &str) -> bool {
    page.eval(&format!(
        "return document.activeElement === document.querySelector('{css}');"
    ))
    .await
        == Value::Bool(true)
}

/// Signs in through the real form (typing, then clicking "Sign in"); waits for the page the
/// account lands on (`landing`: `dashboard` for DJs, `admin` for admins).
pub async fn sign_in(page: &Page, t: &TestApp, (email, password): (&str, &str), landing: &str) {
    page.goto(&t.url("/login")).await;
    page.wait_until("the sign-in form", "document.getElementById('login-form')")
        .await;
    fill(page, "#email", email).await;
    fill(page, "#password", password).await;
    page.click("[data-testid=login-submit]").await;
    page.wait_until(
        &format!("the {landing} page after signing in"),
        &format!("location.pathname === '/{landing}' && document.getElementById('{landing}')"),
    )
    .await;
}

/// Every `[data-metric]` of the page as `(data-metric, data-value)`, read from the live DOM.
pub async fn dom_metrics(page: &Page) -> Vec<(String, String)> {
    let pairs = page
        .eval(
            "return Array.from(document.querySelectorAll('[data-metric]'))\
             .map(e => [e.getAttribute('data-metric'), e.getAttribute('data-value')]);",
        )
        .await;
    pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The metric `key`'s `data-value` in the DOM right now.
pub async fn dom_metric(page: &Page, key: &str) -> String {
    page.attr(&format!("[data-metric='{key}']"), "data-value")
        .await
        .unwrap_or_else(|| panic!("no data-value on {key}"))
}

/// `GET /api/djdash/calls/analytics` (asked with `token`) for the range the open dashboard
/// names (`data-start`, `data-end`, `data-tz`, the DJ's id): its `analytics` object.
pub async fn api_analytics_for_page(page: &Page, t: &TestApp, token: &str) -> Value {
    let start = page.attr("#dashboard", "data-start").await.unwrap();
    let end = page.attr("#dashboard", "data-end").await.unwrap();
    let tz = page.attr("#dashboard", "data-tz").await.unwrap();
    let dj = page.attr("#dashboard", "data-dj-profile-id").await.unwrap();
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("dj_profile_id", &dj)
        .append_pair("start_date", &start)
        .append_pair("end_date", &end)
        .append_pair("tz", &tz)
        .finish();
    let api: Value = t
        .client
        .get(t.url(&format!("/api/djdash/calls/analytics?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    api["analytics"].clone()
}

/// The figures on the open dashboard equal `GET /api/djdash/calls/analytics` for the range
/// the page names (`data-start`, `data-end`, `data-tz`, the DJ's id), asked with `token`.
pub async fn assert_figures_match_the_api(page: &Page, t: &TestApp, token: &str, range: &str) {
    assert_eq!(
        page.attr("#dashboard", "data-range").await.as_deref(),
        Some(range)
    );
    let start = page.attr("#dashboard", "data-start").await.unwrap();
    let tz = page.attr("#dashboard", "data-tz").await.unwrap();
    let dj = page.attr("#dashboard", "data-dj-profile-id").await.unwrap();
    assert_eq!(dj, SPARKLE_ID);
    assert_eq!(tz, "America/New_York");
    assert_eq!(start.is_empty(), range == "all", "{range}: start {start:?}");
    let api = serde_json::json!({"analytics": api_analytics_for_page(page, t, token).await});
    let analytics = &api["analytics"];
    assert!(
        analytics["totalCalls"].as_i64().unwrap() > 0,
        "{range}: the demo's calls"
    );
    let pairs = dom_metrics(page).await;
    assert!(pairs.len() >= 22, "{range}: only {} figures", pairs.len());
    for (key, value) in &pairs {
        let expected = key.split('.').fold(analytics, |v, k| &v[k]);
        let expected = match expected {
            Value::Null => panic!("{range}: {key} is not an analytics field"),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(value, &expected, "{range}: {key}");
    }
    for key in [
        "totalCalls",
        "bookedCalls",
        "conversionRate",
        "totalRevenue",
        "leadScoreBreakdown.hot",
    ] {
        assert!(pairs.iter().any(|(k, _)| k == key), "{range}: no {key}");
    }
}

/// Nothing the page loaded answered an error (a 404 player source, a missing asset): read from
/// the Resource Timing entries' `responseStatus` (Chromium ≥ 109), the page's own navigation
/// included.
pub async fn assert_no_failed_loads(page: &Page) {
    let failed = page
        .eval(
            "return performance.getEntries()\
             .filter(e => typeof e.responseStatus === 'number' && e.responseStatus >= 400)\
             .map(e => e.name + ' ' + e.responseStatus);",
        )
        .await;
    assert_eq!(failed, serde_json::json!([]), "failed loads");
}
