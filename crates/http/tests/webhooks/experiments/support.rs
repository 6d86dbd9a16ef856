//! Shared helpers: the API's requests and a two-variant experiment whose texts say which
//! variant they are.

use djcalls_testkit::TestApp;
use serde_json::{Value, json};

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn post(app: &TestApp, path: &str, body: Option<&Value>) -> (u16, Value) {
    send(app, reqwest::Method::POST, path, app.service_key(), body).await
}

pub async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    send(app, reqwest::Method::GET, path, app.service_key(), None).await
}

/// A text for variant `tag` (`"A"`, `"B"`…): the tag starts the text sent.
pub fn thanks(tag: &str) -> String {
    format!("{tag}: thanks for calling {{dj_name}}! Deposit: {{link}}")
}

/// The Spanish text of variant `tag`.
pub fn gracias(tag: &str) -> String {
    format!("{tag}-es: ¡gracias por llamar a {{dj_name}}! Anticipo: {{link}}")
}

/// Variants A and B with `split`; only A has a Spanish text.
pub fn two_variants(name: &str, split: [i64; 2]) -> Value {
    json!({
        "name": name,
        "variants": [
            {"name": "A", "thanks": {"en": thanks("A"), "es": gracias("A")}},
            {"name": "B", "thanks": {"en": thanks("B")}},
        ],
        "split": split,
    })
}

/// Creates an experiment (201) and returns it.
pub async fn create(app: &TestApp, body: &Value) -> Value {
    let (status, answer) = post(app, "/api/djdash/experiments", Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    answer["experiment"].clone()
}

/// Creates and starts an experiment; returns its id.
pub async fn running(app: &TestApp, body: &Value) -> String {
    let id = create(app, body).await["id"].as_str().unwrap().to_string();
    let (status, answer) = post(app, &format!("/api/djdash/experiments/{id}/start"), None).await;
    assert_eq!(status, 200, "{answer}");
    id
}

pub async fn experiment(app: &TestApp, id: &str) -> Value {
    let (status, answer) = get(app, &format!("/api/djdash/experiments/{id}")).await;
    assert_eq!(status, 200, "{answer}");
    answer["experiment"].clone()
}
