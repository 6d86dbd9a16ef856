//! Helpers shared by the API tests: requests against a running `TestApp`, the error-envelope
//! assertion, and a small world of two DJs, an admin and their tokens.

use djcalls_domain::{CallId, Cents, CutRate, DjProfileId, Role};
use djcalls_store::DbTime;
use djcalls_store::payments::{EntryKind, LedgerEntry};
use djcalls_testkit::TestApp;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uuid::Uuid;

/// DJ A's profile id (fixed, so failures are reproducible).
pub const DJ_A: DjProfileId =
    DjProfileId(Uuid::from_u128(0x0a0a_0000_0000_4000_8000_0000_0000_000a));
/// DJ B's profile id.
pub const DJ_B: DjProfileId =
    DjProfileId(Uuid::from_u128(0x0b0b_0000_0000_4000_8000_0000_0000_000b));
/// An id no profile or call has.
pub const NOBODY: &str = "00000000-0000-4000-8000-00000000dead";

/// One HTTP answer: status, headers and the body (JSON, or the text as a JSON string).
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts a SPEC §3 error envelope with this status, code and (or no) field.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) {
        self.assert_error_in(status, code, field, "");
    }

    /// `assert_error` with a label for table-driven tests.
    #[track_caller]
    pub fn assert_error_in(&self, status: u16, code: &str, field: Option<&str>, label: &str) {
        let problems = self.error_problems(status, code, field);
        assert!(problems.is_empty(), "{label}: {}", problems.join("; "));
    }

    /// What is wrong with this reply as the expected error envelope (nothing when it fits).
    pub fn error_problems(&self, status: u16, code: &str, field: Option<&str>) -> Vec<String> {
        let body = &self.body;
        let mut problems = Vec::new();
        if self.status != status {
            problems.push(format!("status {} (expected {status})", self.status));
        }
        if !(400..500).contains(&self.status) {
            problems.push(format!("status {} is not 4xx", self.status));
        }
        if body["success"] != json!(false) {
            problems.push("success is not false".into());
        }
        if body["code"] != json!(code) {
            problems.push(format!("code {} (expected {code})", body["code"]));
        }
        let error = body["error"].as_str().unwrap_or_default();
        if error.trim().is_empty() {
            problems.push("no error sentence".into());
        }
        for internal in ["sqlx", "panicked", "SELECT", "serde", "stack backtrace"] {
            if error.contains(internal) {
                problems.push(format!("internals ({internal}) in the error text"));
            }
        }
        let expected_field = field.map_or(Value::Null, |f| json!(f));
        if body.get("field").cloned().unwrap_or(Value::Null) != expected_field {
            problems.push(format!(
                "field {} (expected {expected_field})",
                body["field"]
            ));
        }
        if !problems.is_empty() {
            problems.push(format!("body {body}"));
        }
        problems
    }

    /// Asserts a success status and `"success": true`, returning the body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body {}", self.body);
        assert_eq!(self.body["success"], json!(true), "body {}", self.body);
        &self.body
    }
}

/// A raw request: any method, content type and body bytes.
pub async fn raw(
    t: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Option<Vec<u8>>,
) -> Reply {
    let mut request = t.client.request(method, t.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(t: &TestApp, path: &str, token: &str) -> Reply {
    raw(t, Method::GET, path, Some(token), None, None).await
}

pub async fn send_json(
    t: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> Reply {
    let bytes = serde_json::to_vec(body).expect("json");
    raw(
        t,
        method,
        path,
        Some(token),
        Some("application/json"),
        Some(bytes),
    )
    .await
}

pub async fn post(t: &TestApp, path: &str, token: &str, body: &Value) -> Reply {
    send_json(t, Method::POST, path, token, body).await
}

pub async fn patch(t: &TestApp, path: &str, token: &str, body: &Value) -> Reply {
    send_json(t, Method::PATCH, path, token, body).await
}

pub async fn put(t: &TestApp, path: &str, token: &str, body: &Value) -> Reply {
    send_json(t, Method::PUT, path, token, body).await
}

/// Two DJ profiles (A and B), a DJ user for each, an admin, and a DJ owning both.
pub struct World {
    pub t: TestApp,
    pub dj_a: String,
    pub dj_b: String,
    pub admin: String,
    pub service: &'static str,
}

impl World {
    pub async fn sqlite() -> World {
        World::on(TestApp::sqlite().await).await
    }

    pub async fn postgres() -> Option<World> {
        Some(World::on(TestApp::postgres().await?).await)
    }

    pub async fn on(t: TestApp) -> World {
        t.profile(DJ_A, "dj-a").await;
        t.profile(DJ_B, "dj-b").await;
        let dj_a = t.user_token("a@example.com", Role::Dj, &[DJ_A]).await;
        let dj_b = t.user_token("b@example.com", Role::Dj, &[DJ_B]).await;
        let admin = t.user_token("admin@example.com", Role::Admin, &[]).await;
        let service = t.service_key();
        World {
            t,
            dj_a,
            dj_b,
            admin,
            service,
        }
    }

    /// Logs a call as the service; returns the call JSON.
    pub async fn log_call(&self, body: Value) -> Value {
        let reply = post(&self.t, "/api/djdash/calls", self.service, &body).await;
        reply.ok(201)["call"].clone()
    }
}

/// Records a payment (positive cents) or a refund (negative) for a call at the default cut.
pub async fn ledger(t: &TestApp, call: &Value, entry_id: &str, cents: i64, at: &str) {
    let call_id: CallId = call["id"].as_str().expect("id").parse().expect("uuid");
    let dj_profile_id: DjProfileId = call["dj_profile_id"]
        .as_str()
        .expect("profile")
        .parse()
        .expect("uuid");
    let entry = LedgerEntry {
        call_id,
        dj_profile_id,
        provider: "stripe".into(),
        kind: if cents < 0 {
            EntryKind::Refund
        } else {
            EntryKind::Payment
        },
        provider_entry_id: entry_id.into(),
        provider_payment_id: format!("pay_{}", call_id.0.simple()),
        amount: Cents(cents),
        currency: "usd".into(),
        at: DbTime(at.parse().expect("time")),
    };
    let new =
        t.db.store
            .record_ledger_entry(&djcalls_domain::Actor::System, &entry, CutRate::DEFAULT)
            .await
            .expect("ledger");
    assert!(new, "ledger entry {entry_id} recorded twice");
}
