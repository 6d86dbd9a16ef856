//! Shared helpers: the service key, requests and their replies, and the number-API calls.

use djcalls_app::settings::NumberPurchase;
use djcalls_domain::DjProfileId;
use djcalls_testkit::{ServedApp, TestApp};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uuid::Uuid;

/// The test app's service key (`TestApp::service_key`).
pub const KEY: &str = "test-service-key-0123456789";

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body {}", self.text);
        assert_eq!(self.body["success"], json!(true), "body {}", self.text);
        &self.body
    }

    #[track_caller]
    pub fn error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "body {}", self.text);
        assert_eq!(self.body["success"], json!(false), "body {}", self.text);
        assert_eq!(self.body["code"], json!(code), "body {}", self.text);
        assert_eq!(
            self.body.get("field").cloned().unwrap_or(Value::Null),
            field.map_or(Value::Null, |f| json!(f)),
            "body {}",
            self.text
        );
        assert!(
            self.body["error"]
                .as_str()
                .is_some_and(|e| !e.trim().is_empty())
        );
    }
}

pub async fn send(
    base_url: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{base_url}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    Reply {
        status,
        headers,
        text,
        body,
    }
}

pub fn dj(n: u128) -> DjProfileId {
    DjProfileId(Uuid::from_u128(
        0x0d1_6000_0000_4000_8000_0000_0000_0000 + n,
    ))
}

/// A profile with a real number; published or not.
pub async fn put_profile(
    base: &str,
    id: DjProfileId,
    real: Option<&str>,
    published: bool,
) -> Reply {
    let mut body = json!({
        "dj_name": format!("DJ {}", id.0.as_u128() & 0xffff),
        "dj_slug": format!("dj-{}", id.0.as_u128() & 0xffff),
        "is_published": published,
    });
    if let Some(real) = real {
        body["real_phone_number"] = json!(real);
    }
    send(
        base,
        Method::PUT,
        &format!("/api/djdash/profiles/{id}"),
        Some(KEY),
        Some(body),
    )
    .await
}

pub async fn assign(base: &str, token: &str, id: DjProfileId, real: Option<&str>) -> Reply {
    let mut body = json!({"dj_profile_id": id.to_string()});
    if let Some(real) = real {
        body["real_phone_number"] = json!(real);
    }
    send(
        base,
        Method::POST,
        "/api/djdash/virtual-numbers",
        Some(token),
        Some(body),
    )
    .await
}

pub async fn get_number(base: &str, token: Option<&str>, id: DjProfileId) -> Reply {
    send(
        base,
        Method::GET,
        &format!("/api/djdash/virtual-numbers?dj_profile_id={id}"),
        token,
        None,
    )
    .await
}

pub async fn buy(base: &str, count: u32, area_code: &str) -> Vec<String> {
    let reply = send(
        base,
        Method::POST,
        "/api/djdash/virtual-numbers/pool",
        Some(KEY),
        Some(json!({"count": count, "area_code": area_code})),
    )
    .await;
    let body = reply.ok(201);
    assert_eq!(body["bought"], json!(count));
    body["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_eq!(n["state"], "available");
            n["virtual_number"].as_str().unwrap().to_string()
        })
        .collect()
}

pub async fn pool(base: &str) -> Value {
    send(
        base,
        Method::GET,
        "/api/djdash/virtual-numbers/pool",
        Some(KEY),
        None,
    )
    .await
    .ok(200)
    .clone()
}

pub fn vn(reply: &Reply) -> String {
    reply.body["virtualNumber"]["virtual_number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The same app with different number-purchase settings, served on its own port (sharing the
/// test app's database, clock and simulated Twilio).
pub async fn with_purchase(t: &TestApp, purchase: NumberPurchase) -> ServedApp {
    TestApp::builder()
        .settings(move |s| s.number_purchase = purchase)
        .serve_beside(t)
        .await
}

pub trait OkRef {
    fn ok_ref(&self, status: u16) -> &Reply;
}

impl OkRef for Reply {
    #[track_caller]
    fn ok_ref(&self, status: u16) -> &Reply {
        self.ok(status);
        self
    }
}
