//! The bad-input matrix (SQLite): every malformed request gets a 4xx with the SPEC §3 error
//! envelope, the right code, and the field at fault named.

use super::support::{DJ_A, NOBODY, Reply, raw};
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// One row of a matrix: a request and the error it must get.
struct Case {
    label: String,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: u16,
    code: &'static str,
    field: Option<&'static str>,
}

impl Case {
    /// A JSON body sent with `application/json`, expecting 400 `invalid_field` on `field`.
    fn field(method: Method, path: &str, body: Value, field: &'static str) -> Case {
        Case::json(method, path, body, 400, "invalid_field", Some(field))
    }

    fn json(
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
    fn bytes(
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
    fn query(path: &str, field: &'static str) -> Case {
        Case::get(path, 400, "invalid_field", Some(field))
    }

    fn get(path: &str, status: u16, code: &'static str, field: Option<&'static str>) -> Case {
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
async fn run(t: &TestApp, cases: Vec<Case>) {
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
    assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
}

/// A fresh app with DJ A's profile and one logged call; returns the call's id.
async fn app_with_a_call() -> (TestApp, String) {
    let t = TestApp::sqlite().await;
    t.profile(DJ_A, "dj-a").await;
    let reply = super::support::post(
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

/// The shared body rows every JSON endpoint must refuse the same way.
fn body_format_cases(method: Method, path: &str) -> Vec<Case> {
    let one_megabyte = {
        let mut body = br#"{"notes": ""#.to_vec();
        body.extend(std::iter::repeat_n(b'x', 1024 * 1024));
        body.extend(br#""}"#);
        body
    };
    vec![
        Case::bytes(method.clone(), path, Some("application/json"), br#"{"dj_profile_id": "#, 400, "malformed_json"),
        Case::bytes(method.clone(), path, Some("application/json"), b"{'notes': 'x'}", 400, "malformed_json"),
        Case::bytes(method.clone(), path, Some("application/json"), b"", 400, "malformed_json"),
        Case::bytes(method.clone(), path, Some("application/json"), br#"{"notes": "x"} trailing"#, 400, "malformed_json"),
        Case::bytes(method.clone(), path, Some("application/json"), b"[]", 400, "invalid_body"),
        Case::bytes(method.clone(), path, Some("application/json"), b"\"a string\"", 400, "invalid_body"),
        Case::bytes(method.clone(), path, Some("application/json"), b"null", 400, "invalid_body"),
        Case::bytes(method.clone(), path, Some("text/plain"), br#"{"notes": "x"}"#, 415, "unsupported_media_type"),
        Case::bytes(method.clone(), path, Some("application/x-www-form-urlencoded"), b"notes=x", 415, "unsupported_media_type"),
        Case::bytes(method.clone(), path, None, br#"{"notes": "x"}"#, 415, "unsupported_media_type"),
        Case::bytes(method.clone(), path, Some("application/json"), &one_megabyte, 413, "payload_too_large"),
    ]
}

#[tokio::test]
async fn logging_a_call_with_bad_input_names_the_field_at_fault() {
    let (t, _) = app_with_a_call().await;
    let path = "/api/djdash/calls";
    let a = DJ_A.to_string();
    let with = |extra: Value| {
        let mut body = json!({"dj_profile_id": a, "caller_number": "+14155552671"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let mut cases = vec![
        Case::field(Method::POST, path, json!({}), "dj_profile_id"),
        Case::field(Method::POST, path, json!({"caller_number": "+14155552671"}), "dj_profile_id"),
        Case::field(Method::POST, path, json!({"dj_profile_id": null}), "dj_profile_id"),
        Case::field(Method::POST, path, json!({"dj_profile_id": "not-a-uuid"}), "dj_profile_id"),
        Case::field(Method::POST, path, json!({"dj_profile_id": 42}), "dj_profile_id"),
        Case::field(Method::POST, path, json!({"dj_profile_id": NOBODY}), "dj_profile_id"),
        Case::field(Method::POST, path, with(json!({"caller_number": "123"})), "caller_number"),
        Case::field(Method::POST, path, with(json!({"caller_number": "abc"})), "caller_number"),
        Case::field(Method::POST, path, with(json!({"caller_number": "+1 000 000 0000"})), "caller_number"),
        Case::field(Method::POST, path, with(json!({"caller_number": 4155552671_u64})), "caller_number"),
        Case::field(Method::POST, path, with(json!({"virtual_number": "abc"})), "virtual_number"),
        Case::field(Method::POST, path, with(json!({"virtual_number": "123"})), "virtual_number"),
        Case::field(Method::POST, path, with(json!({"timestamp": "2026-13-01T00:00:00Z"})), "timestamp"),
        Case::field(Method::POST, path, with(json!({"timestamp": "yesterday"})), "timestamp"),
        Case::field(Method::POST, path, with(json!({"timestamp": 1_750_000_000})), "timestamp"),
        Case::field(Method::POST, path, with(json!({"lead_score": "lukewarm"})), "lead_score"),
        Case::field(Method::POST, path, with(json!({"lead_score": "HOT"})), "lead_score"),
        Case::field(Method::POST, path, with(json!({"call_status": "answered"})), "call_status"),
        Case::field(Method::POST, path, with(json!({"is_booked": "yes"})), "is_booked"),
        Case::field(Method::POST, path, with(json!({"is_booked": 1})), "is_booked"),
        Case::field(Method::POST, path, with(json!({"call_duration_seconds": -5})), "call_duration_seconds"),
        Case::field(Method::POST, path, with(json!({"call_duration_seconds": 1.5})), "call_duration_seconds"),
        Case::field(Method::POST, path, with(json!({"call_duration_seconds": "60"})), "call_duration_seconds"),
        Case::field(Method::POST, path, with(json!({"event_type": "x".repeat(51)})), "event_type"),
        Case::field(Method::POST, path, with(json!({"event_type": ["wedding"]})), "event_type"),
        Case::field(Method::POST, path, with(json!({"call_sid": "CA 123"})), "call_sid"),
        Case::field(Method::POST, path, with(json!({"page_url": "javascript:alert(1)"})), "page_url"),
        Case::field(Method::POST, path, with(json!({"notes": "n".repeat(10_001)})), "notes"),
        Case::field(Method::POST, path, with(json!({"notes": "a\u{0}b"})), "notes"),
        Case::field(Method::POST, path, with(json!({"caller_name": "x".repeat(201)})), "caller_name"),
        Case::field(Method::POST, path, with(json!({"product_context": "tipjar"})), "product_context"),
        Case::field(Method::POST, path, with(json!({"product_context": "DJDASH"})), "product_context"),
        Case::json(Method::POST, path, with(json!({"colour": "red"})), 400, "unknown_field", Some("colour")),
        Case::json(Method::POST, path, with(json!({"status": "completed"})), 400, "unknown_field", Some("status")),
    ];
    cases.extend(body_format_cases(Method::POST, path));
    run(&t, cases).await;
}

#[tokio::test]
async fn listing_calls_with_bad_query_parameters_names_the_parameter() {
    let (t, _) = app_with_a_call().await;
    let a = DJ_A.to_string();
    let list = |q: &str| format!("/api/djdash/calls?dj_profile_id={a}&{q}");
    // A cursor that decodes but points at nothing this API wrote.
    let forged = "bm90LWEtY3Vyc29y"; // "not-a-cursor"
    let cases = vec![
        Case::query("/api/djdash/calls?dj_profile_id=not-a-uuid", "dj_profile_id"),
        Case::query("/api/djdash/calls?dj_profile_id=123", "dj_profile_id"),
        Case::query(&list("start_date=2026-13-01"), "start_date"),
        Case::query(&list("start_date=yesterday"), "start_date"),
        Case::query(&list("end_date=2026-13-01"), "end_date"),
        Case::query(&list("end_date=yesterday"), "end_date"),
        Case::query(&list("start_date=2026-06-10&end_date=2026-06-01"), "end_date"),
        Case::query(&list("start_date=2026-06-10T00:00:00Z&end_date=2026-06-09T23:59:59Z"), "end_date"),
        Case::query(&list("tz=Mars/Olympus"), "tz"),
        Case::query(&list("tz=EST5EDT%20please"), "tz"),
        Case::query(&list("limit=0"), "limit"),
        Case::query(&list("limit=1001"), "limit"),
        Case::query(&list("limit=ten"), "limit"),
        Case::query(&list("limit=-1"), "limit"),
        Case::query(&list("limit=1.5"), "limit"),
        Case::query(&list("cursor=%%%garbage"), "cursor"),
        Case::query(&list(&format!("cursor={forged}")), "cursor"),
        Case::query(&list("product_context=tipjar"), "product_context"),
        Case::query(&format!("/api/djdash/calls?dj_profile_id={a}&dj_profile_id={a}"), "dj_profile_id"),
    ];
    run(&t, cases).await;
}

#[tokio::test]
async fn analytics_with_bad_query_parameters_names_the_parameter() {
    let (t, _) = app_with_a_call().await;
    let a = DJ_A.to_string();
    let mut cases = Vec::new();
    for base in [
        format!("/api/djdash/calls/analytics?dj_profile_id={a}&"),
        "/api/djdash/admin/analytics?".to_string(),
    ] {
        cases.extend([
            Case::query(&format!("{base}start_date=2026-13-01"), "start_date"),
            Case::query(&format!("{base}start_date=yesterday"), "start_date"),
            Case::query(&format!("{base}end_date=2026-13-01"), "end_date"),
            Case::query(&format!("{base}end_date=yesterday"), "end_date"),
            Case::query(&format!("{base}start_date=2026-06-10&end_date=2026-06-01"), "end_date"),
            Case::query(&format!("{base}tz=Mars/Olympus"), "tz"),
            Case::query(&format!("{base}tz=utc+2"), "tz"),
        ]);
    }
    cases.push(Case::query(
        "/api/djdash/calls/analytics?dj_profile_id=not-a-uuid",
        "dj_profile_id",
    ));
    run(&t, cases).await;
}

#[tokio::test]
async fn reading_a_call_by_a_bad_or_unknown_id_is_refused() {
    let (t, _) = app_with_a_call().await;
    let cases = vec![
        Case::query("/api/djdash/calls/not-a-uuid", "id"),
        Case::query("/api/djdash/calls/123", "id"),
        Case::query("/api/djdash/calls/0a0a0000-0000-4000-8000-00000000000g", "id"),
        Case::get(&format!("/api/djdash/calls/{NOBODY}"), 404, "not_found", None),
    ];
    run(&t, cases).await;
}

#[tokio::test]
async fn correcting_a_call_with_bad_input_names_the_field_at_fault() {
    let (t, id) = app_with_a_call().await;
    let path = format!("/api/djdash/calls/{id}");
    let path = path.as_str();
    let mut cases = vec![
        Case::field(Method::PATCH, "/api/djdash/calls/not-a-uuid", json!({"is_booked": true}), "id"),
        Case::json(Method::PATCH, &format!("/api/djdash/calls/{NOBODY}"), json!({"is_booked": true}), 404, "not_found", None),
        Case::field(Method::PATCH, path, json!({"is_booked": "yes"}), "is_booked"),
        Case::field(Method::PATCH, path, json!({"lead_score": "lukewarm"}), "lead_score"),
        Case::field(Method::PATCH, path, json!({"lead_score": 3}), "lead_score"),
        Case::field(Method::PATCH, path, json!({"event_type": "x".repeat(51)}), "event_type"),
        Case::field(Method::PATCH, path, json!({"event_type": 7}), "event_type"),
        Case::field(Method::PATCH, path, json!({"notes": 5}), "notes"),
        Case::field(Method::PATCH, path, json!({"notes": "n".repeat(10_001)}), "notes"),
        Case::json(Method::PATCH, path, json!({"call_status": "completed"}), 400, "unknown_field", Some("call_status")),
        Case::json(Method::PATCH, path, json!({"dj_profile_id": NOBODY}), 400, "unknown_field", Some("dj_profile_id")),
    ];
    cases.extend(body_format_cases(Method::PATCH, path));
    run(&t, cases).await;
}

#[tokio::test]
async fn saving_a_profile_with_bad_input_names_the_field_at_fault() {
    let (t, _) = app_with_a_call().await;
    let new = format!("/api/djdash/profiles/{NOBODY}");
    let new = new.as_str();
    let existing = format!("/api/djdash/profiles/{DJ_A}");
    let existing = existing.as_str();
    let valid = |extra: Value| {
        let mut body = json!({"dj_name": "DJ New", "dj_slug": "dj-new"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let mut cases = vec![
        Case::field(Method::PUT, "/api/djdash/profiles/not-a-uuid", valid(json!({})), "id"),
        Case::field(Method::PUT, new, json!({"dj_slug": "dj-new"}), "dj_name"),
        Case::field(Method::PUT, new, json!({"dj_name": "DJ New"}), "dj_slug"),
        Case::field(Method::PUT, new, valid(json!({"dj_name": "   "})), "dj_name"),
        Case::field(Method::PUT, new, valid(json!({"dj_name": "x".repeat(121)})), "dj_name"),
        Case::field(Method::PUT, new, valid(json!({"dj_name": 5})), "dj_name"),
        Case::field(Method::PUT, new, valid(json!({"dj_slug": "DJ New"})), "dj_slug"),
        Case::field(Method::PUT, new, valid(json!({"dj_slug": "dj--new"})), "dj_slug"),
        Case::field(Method::PUT, new, valid(json!({"timezone": "Mars/Olympus"})), "timezone"),
        Case::field(Method::PUT, new, valid(json!({"timezone": 5})), "timezone"),
        Case::field(Method::PUT, new, valid(json!({"real_phone_number": "123"})), "real_phone_number"),
        Case::field(Method::PUT, new, valid(json!({"real_phone_number": "abc"})), "real_phone_number"),
        Case::field(Method::PUT, new, valid(json!({"real_phone_number": "+1 000 000 0000"})), "real_phone_number"),
        Case::field(Method::PUT, new, valid(json!({"is_published": "yes"})), "is_published"),
        Case::field(Method::PUT, new, valid(json!({"id": "not-a-uuid"})), "id"),
        Case::field(Method::PUT, new, valid(json!({"id": DJ_A.to_string()})), "id"),
        Case::field(Method::PUT, new, valid(json!({"product_context": "tipjar"})), "product_context"),
        Case::json(Method::PUT, new, valid(json!({"colour": "red"})), 400, "unknown_field", Some("colour")),
        Case::field(Method::PUT, existing, json!({"timezone": "Mars/Olympus"}), "timezone"),
        Case::field(Method::PUT, existing, json!({"real_phone_number": "123"}), "real_phone_number"),
        Case::field(Method::PUT, existing, json!({"dj_slug": "Not A Slug"}), "dj_slug"),
    ];
    cases.extend(body_format_cases(Method::PUT, new));
    run(&t, cases).await;
    // Nothing was created along the way.
    let reply = super::support::get(&t, new, t.service_key()).await;
    reply.assert_error(404, "not_found", None);
}

#[tokio::test]
async fn reading_a_profile_by_a_bad_or_unknown_id_is_refused() {
    let (t, _) = app_with_a_call().await;
    let cases = vec![
        Case::query("/api/djdash/profiles/not-a-uuid", "id"),
        Case::query("/api/djdash/profiles/%20", "id"),
        Case::get(&format!("/api/djdash/profiles/{NOBODY}"), 404, "not_found", None),
    ];
    run(&t, cases).await;
}
