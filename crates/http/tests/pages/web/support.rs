//! Helpers of the dashboard tests: cookie-jar clients, sign-in, and reading attributes out of
//! the pages.

use djcalls_testkit::TestApp;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

pub const SPARKLE: (&str, &str) = ("sparkle@demo.djcalls.test", "sparkle-demo-pass");
pub const MARCO: (&str, &str) = ("marco@demo.djcalls.test", "marco-demo-pass");
pub const ADMIN: (&str, &str) = ("admin@demo.djcalls.test", "admin-demo-pass");
pub const SPARKLE_ID: &str = "0d1a0000-0000-4000-8000-000000000001";
pub const MARCO_ID: &str = "0d1a0000-0000-4000-8000-000000000002";

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `name="…"` attribute after `marker`.
pub fn attr_after(html: &str, marker: &str, name: &str) -> String {
    let from = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"));
    let rest = &html[from..];
    let key = format!("{name}=\"");
    let start = rest
        .find(&key)
        .unwrap_or_else(|| panic!("{name} not after {marker}"))
        + key.len();
    let end = rest[start..].find('"').unwrap();
    rest[start..start + end].to_string()
}

pub fn csrf(html: &str) -> String {
    attr_after(html, "name=\"csrf\"", "value")
}

/// Every `data-metric`/`data-value` pair of a page.
pub fn metrics(html: &str) -> Vec<(String, String)> {
    html.match_indices("data-metric=\"")
        .map(|(i, _)| {
            let key = attr_after(&html[i..], "data-metric", "data-metric");
            let value = attr_after(&html[i..], "data-metric", "data-value");
            (key, value)
        })
        .collect()
}

pub async fn get(client: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

pub async fn post(
    client: &Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client.post(app.url(path)).form(form).send().await.unwrap()
}

/// Signs in; returns the response to the form post.
pub async fn try_login(
    client: &Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let (status, page) = get(client, app, "/login").await;
    assert_eq!(status, 200);
    let token = csrf(&page);
    post(
        client,
        app,
        "/login",
        &[("csrf", &token), ("email", email), ("password", password)],
    )
    .await
}

pub async fn login(app: &TestApp, (email, password): (&str, &str)) -> Client {
    let client = client();
    let r = try_login(&client, app, email, password).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {email}");
    client
}

/// Logs a call for `dj` (a profile id) as the service, with the caller name "Live Caller";
/// returns its id.
pub async fn log_call(app: &TestApp, dj: &str) -> String {
    let body: serde_json::Value = app
        .client
        .post(app.url("/api/djdash/calls"))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({"dj_profile_id": dj, "caller_name": "Live Caller"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["call"]["id"].as_str().unwrap().to_string()
}

pub async fn seeded() -> TestApp {
    let app = TestApp::sqlite().await;
    app.app.seed_demo().await.unwrap();
    app
}
