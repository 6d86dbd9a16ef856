//! The matrix machinery: cases, running them, the shared body rows, and paging cursors.

use super::super::support::{DJ_A, Reply, post, raw};
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// One row of a matrix: a request and the error it must get.
pub struct Case {
    pub label: String,
    pub method: Method,
    pub path: String,
    pub content_type: Option<&'static str>,
    pub body: Option<Vec<u8>>,
    pub status: u16,
    pub code: &'static str,
    pub field: Option<&'static str>,
}

impl Case {
    /// A JSON body sent with `application/json`, expecting 400 `invalid_field` on `field`.
    pub fn field(method: Method, path: &str, body: Value, field: &'static str) -> Case {
        Case::json(method, path, body, 400, "invalid_field", Some(field))
    }

    pub fn json(
        method: Method,
        path: &str,
        body: Value,
        status: u16,
        code: &'static str,
        field: Option<&'static str>,
    ) -> Case {
        Case {
            label: format!("{method} {path} {body}"),
            body: Some(serde_json::to_vec(&body).expect("json")),
            method,
            path: path.to_string(),
            content_type: Some("application/json"),
            status,
            code,
            field,
        }
    }

    /// Raw bytes with a given content type.
    pub fn bytes(
        method: Method,
        path: &str,
        content_type: Option<&'static str>,
        body: &[u8],
        status: u16,
        code: &'static str,
    ) -> Case {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        Case {
            label: format!("{method} {path} [{content_type:?}] {shown}"),
            method,
            path: path.to_string(),
            content_type,
            body: Some(body.to_vec()),
            status,
            code,
            field: None,
        }
    }

    /// A GET expecting 400 `invalid_field` on `field`.
    pub fn query(path: &str, field: &'static str) -> Case {
        Case::get(path, 400, "invalid_field", Some(field))
    }

    pub fn get(path: &str, status: u16, code: &'static str, field: Option<&'static str>) -> Case {
        Case {
            label: format!("GET {path}"),
            method: Method::GET,
            path: path.to_string(),
            content_type: None,
            body: None,
            status,
            code,
            field,
        }
    }
}

/// Sends every row as the service (so authorisation is never the reason) and checks each.
pub async fn run(t: &TestApp, cases: Vec<Case>) {
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in cases {
        let reply: Reply = raw(
            t,
            case.method.clone(),
            &case.path,
            Some(t.service_key()),
            case.content_type,
            case.body.clone(),
        )
        .await;
        let problems = reply.error_problems(case.status, case.code, case.field);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.label, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A fresh app with DJ A's profile and one logged call; returns the call's id.
pub async fn app_with_a_call() -> (TestApp, String) {
    let t = TestApp::sqlite().await;
    t.profile(DJ_A, "dj-a").await;
    let reply = post(
        &t,
        "/api/djdash/calls",
        t.service_key(),
        &json!({"dj_profile_id": DJ_A.to_string(), "caller_number": "+14155552671"}),
    )
    .await;
    let id = reply.ok(201)["call"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    (t, id)
}

/// Extends a valid body with `extra`'s fields.
pub fn with(base: &Value, extra: Value) -> Value {
    let mut body = base.clone();
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

/// The body rows every JSON endpoint must refuse the same way.
pub fn body_format_cases(method: Method, path: &str) -> Vec<Case> {
    let mut one_megabyte = br#"{"notes": ""#.to_vec();
    one_megabyte.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    one_megabyte.extend(br#""}"#);
    let sent = |content_type, body: &[u8], status, code| {
        Case::bytes(method.clone(), path, content_type, body, status, code)
    };
    let json = Some("application/json");
    let a_json_array = format!("[\"{DJ_A}\"]");
    vec![
        sent(json, br#"{"dj_profile_id": "#, 400, "malformed_json"),
        sent(json, b"{'notes': 'x'}", 400, "malformed_json"),
        sent(json, b"", 400, "malformed_json"),
        sent(json, br#"{"notes": "x"} trailing"#, 400, "malformed_json"),
        sent(json, b"[]", 400, "invalid_body"),
        sent(json, a_json_array.as_bytes(), 400, "invalid_body"),
        sent(json, b"42", 400, "invalid_body"),
        sent(json, b"\"a string\"", 400, "invalid_body"),
        sent(json, b"null", 400, "invalid_body"),
        sent(
            Some("text/plain"),
            br#"{"notes": "x"}"#,
            415,
            "unsupported_media_type",
        ),
        sent(
            Some("application/x-www-form-urlencoded"),
            b"notes=x",
            415,
            "unsupported_media_type",
        ),
        sent(None, br#"{"notes": "x"}"#, 415, "unsupported_media_type"),
        sent(json, &one_megabyte, 413, "payload_too_large"),
    ]
}

/// A cursor in the API's own encoding (unpadded URL-safe base64 of `micros:id`), for forgeries.
pub fn cursor(micros: &str, id: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = format!("{micros}:{id}").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}
