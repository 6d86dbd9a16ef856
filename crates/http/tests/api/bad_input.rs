//! The bad-input matrix (SQLite): every malformed request gets a 4xx with the SPEC §3 error
//! envelope, the right code, and the field at fault named.

use super::support::{DJ_A, NOBODY, Reply, get, post, put, raw};
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
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A fresh app with DJ A's profile and one logged call; returns the call's id.
async fn app_with_a_call() -> (TestApp, String) {
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
fn with(base: &Value, extra: Value) -> Value {
    let mut body = base.clone();
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

/// The body rows every JSON endpoint must refuse the same way.
fn body_format_cases(method: Method, path: &str) -> Vec<Case> {
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

#[tokio::test]
async fn logging_a_call_with_bad_input_names_the_field_at_fault() {
    let (t, _) = app_with_a_call().await;
    let path = "/api/djdash/calls";
    let valid = json!({"dj_profile_id": DJ_A.to_string(), "caller_number": "+14155552671"});
    let bad = |body: Value, field| Case::field(Method::POST, path, body, field);
    let bad_with =
        |extra: Value, field| Case::field(Method::POST, path, with(&valid, extra), field);
    let unknown = |extra: Value, field| {
        Case::json(
            Method::POST,
            path,
            with(&valid, extra),
            400,
            "unknown_field",
            Some(field),
        )
    };
    let mut cases = vec![
        bad(json!({}), "dj_profile_id"),
        bad(json!({"caller_number": "+14155552671"}), "dj_profile_id"),
        bad(json!({"dj_profile_id": null}), "dj_profile_id"),
        bad(json!({"dj_profile_id": "not-a-uuid"}), "dj_profile_id"),
        bad(json!({"dj_profile_id": 42}), "dj_profile_id"),
        bad(json!({"dj_profile_id": NOBODY}), "dj_profile_id"),
        bad_with(json!({"caller_number": "123"}), "caller_number"),
        bad_with(json!({"caller_number": "abc"}), "caller_number"),
        bad_with(json!({"caller_number": "+1 000 000 0000"}), "caller_number"),
        bad_with(json!({"caller_number": 4155552671_u64}), "caller_number"),
        bad_with(json!({"virtual_number": "abc"}), "virtual_number"),
        bad_with(json!({"virtual_number": "123"}), "virtual_number"),
        bad_with(json!({"timestamp": "2026-13-01T00:00:00Z"}), "timestamp"),
        bad_with(json!({"timestamp": "yesterday"}), "timestamp"),
        bad_with(json!({"timestamp": 1_750_000_000}), "timestamp"),
        bad_with(json!({"timestamp": "1969-12-31T23:59:59Z"}), "timestamp"),
        bad_with(json!({"timestamp": "-009999-01-03T00:00:00Z"}), "timestamp"),
        // The clock says 2026-06-15T12:00Z; a day of clock skew is tolerated, no more.
        bad_with(json!({"timestamp": "2026-06-16T12:00:01Z"}), "timestamp"),
        bad_with(json!({"timestamp": "9999-12-30T00:00:00Z"}), "timestamp"),
        bad_with(json!({"lead_score": "lukewarm"}), "lead_score"),
        bad_with(json!({"lead_score": "HOT"}), "lead_score"),
        bad_with(json!({"call_status": "answered"}), "call_status"),
        bad_with(json!({"is_booked": "yes"}), "is_booked"),
        bad_with(json!({"is_booked": 1}), "is_booked"),
        bad_with(
            json!({"call_duration_seconds": -5}),
            "call_duration_seconds",
        ),
        bad_with(
            json!({"call_duration_seconds": 1.5}),
            "call_duration_seconds",
        ),
        bad_with(
            json!({"call_duration_seconds": "60"}),
            "call_duration_seconds",
        ),
        bad_with(json!({"event_type": "x".repeat(51)}), "event_type"),
        bad_with(json!({"event_type": ["wedding"]}), "event_type"),
        bad_with(json!({"call_sid": "CA 123"}), "call_sid"),
        bad_with(json!({"page_url": "javascript:alert(1)"}), "page_url"),
        bad_with(json!({"notes": "n".repeat(10_001)}), "notes"),
        bad_with(json!({"notes": "a\u{0}b"}), "notes"),
        bad_with(json!({"caller_name": "x".repeat(201)}), "caller_name"),
        bad_with(json!({"product_context": "tipjar"}), "product_context"),
        bad_with(json!({"product_context": "DJDASH"}), "product_context"),
        unknown(json!({"colour": "red"}), "colour"),
        unknown(json!({"status": "completed"}), "status"),
    ];
    cases.extend(body_format_cases(Method::POST, path));
    run(&t, cases).await;
}

#[tokio::test]
async fn listing_calls_with_bad_query_parameters_names_the_parameter() {
    let (t, _) = app_with_a_call().await;
    let a = DJ_A.to_string();
    let bad = |query: &str, field| {
        Case::query(
            &format!("/api/djdash/calls?dj_profile_id={a}&{query}"),
            field,
        )
    };
    let cases = vec![
        Case::query(
            "/api/djdash/calls?dj_profile_id=not-a-uuid",
            "dj_profile_id",
        ),
        Case::query("/api/djdash/calls?dj_profile_id=123", "dj_profile_id"),
        bad(&format!("dj_profile_id={a}"), "dj_profile_id"),
        bad("start_date=2026-13-01", "start_date"),
        bad("start_date=yesterday", "start_date"),
        bad("end_date=2026-13-01", "end_date"),
        bad("end_date=yesterday", "end_date"),
        bad("start_date=2026-06-10&end_date=2026-06-01", "end_date"),
        bad(
            "start_date=2026-06-10T00:00:00Z&end_date=2026-06-09T23:59:59Z",
            "end_date",
        ),
        bad("tz=Mars/Olympus", "tz"),
        bad("tz=EST5EDT%20please", "tz"),
        bad("limit=0", "limit"),
        bad("limit=1001", "limit"),
        bad("limit=ten", "limit"),
        bad("limit=-1", "limit"),
        bad("limit=1.5", "limit"),
        bad("cursor=%%%garbage", "cursor"),
        // Base64 of "not-a-cursor": decodes, but is nothing this API wrote.
        bad("cursor=bm90LWEtY3Vyc29y", "cursor"),
        bad(&format!("cursor={}", cursor("-1", NOBODY)), "cursor"),
        bad(
            &format!("cursor={}", cursor("1781092800000000", "not-a-uuid")),
            "cursor",
        ),
        bad(&format!("cursor={}", cursor("soon", NOBODY)), "cursor"),
        bad("product_context=tipjar", "product_context"),
    ];
    run(&t, cases).await;
}

#[tokio::test]
async fn analytics_with_bad_query_parameters_names_the_parameter() {
    let (t, _) = app_with_a_call().await;
    let mut cases = vec![Case::query(
        "/api/djdash/calls/analytics?dj_profile_id=not-a-uuid",
        "dj_profile_id",
    )];
    for base in [
        format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}&"),
        "/api/djdash/admin/analytics?".to_string(),
    ] {
        let bad = |query: &str, field| Case::query(&format!("{base}{query}"), field);
        cases.extend([
            bad("start_date=2026-13-01", "start_date"),
            bad("start_date=yesterday", "start_date"),
            bad("end_date=2026-13-01", "end_date"),
            bad("end_date=yesterday", "end_date"),
            bad("start_date=2026-06-10&end_date=2026-06-01", "end_date"),
            bad("tz=Mars/Olympus", "tz"),
            bad("tz=utc+2", "tz"),
        ]);
    }
    run(&t, cases).await;
}

#[tokio::test]
async fn reading_a_call_by_a_bad_or_unknown_id_is_refused() {
    let (t, _) = app_with_a_call().await;
    let cases = vec![
        Case::query("/api/djdash/calls/not-a-uuid", "id"),
        Case::query("/api/djdash/calls/123", "id"),
        Case::query(
            "/api/djdash/calls/0a0a0000-0000-4000-8000-00000000000g",
            "id",
        ),
        Case::get(
            &format!("/api/djdash/calls/{NOBODY}"),
            404,
            "not_found",
            None,
        ),
    ];
    run(&t, cases).await;
}

#[tokio::test]
async fn correcting_a_call_with_bad_input_names_the_field_at_fault() {
    let (t, id) = app_with_a_call().await;
    let path = format!("/api/djdash/calls/{id}");
    let path = path.as_str();
    let bad = |body: Value, field| Case::field(Method::PATCH, path, body, field);
    let unknown = |body: Value, field| {
        Case::json(Method::PATCH, path, body, 400, "unknown_field", Some(field))
    };
    let booked = json!({"is_booked": true});
    let mut cases = vec![
        Case::field(
            Method::PATCH,
            "/api/djdash/calls/not-a-uuid",
            booked.clone(),
            "id",
        ),
        Case::json(
            Method::PATCH,
            &format!("/api/djdash/calls/{NOBODY}"),
            booked,
            404,
            "not_found",
            None,
        ),
        bad(json!({"is_booked": "yes"}), "is_booked"),
        bad(json!({"lead_score": "lukewarm"}), "lead_score"),
        bad(json!({"lead_score": 3}), "lead_score"),
        bad(json!({"event_type": "x".repeat(51)}), "event_type"),
        bad(json!({"event_type": 7}), "event_type"),
        bad(json!({"notes": 5}), "notes"),
        bad(json!({"notes": "n".repeat(10_001)}), "notes"),
        unknown(json!({"call_status": "completed"}), "call_status"),
        unknown(json!({"dj_profile_id": NOBODY}), "dj_profile_id"),
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
    let valid = json!({"dj_name": "DJ New", "dj_slug": "dj-new"});
    let bad = |body: Value, field| Case::field(Method::PUT, new, body, field);
    let bad_with = |extra: Value, field| Case::field(Method::PUT, new, with(&valid, extra), field);
    let bad_update = |body: Value, field| Case::field(Method::PUT, &existing, body, field);
    let mut cases = vec![
        Case::field(
            Method::PUT,
            "/api/djdash/profiles/not-a-uuid",
            valid.clone(),
            "id",
        ),
        bad(json!({"dj_slug": "dj-new"}), "dj_name"),
        bad(json!({"dj_name": "DJ New"}), "dj_slug"),
        bad_with(json!({"dj_name": "   "}), "dj_name"),
        bad_with(json!({"dj_name": "x".repeat(121)}), "dj_name"),
        bad_with(json!({"dj_name": 5}), "dj_name"),
        bad_with(json!({"dj_slug": "DJ New"}), "dj_slug"),
        bad_with(json!({"dj_slug": "dj--new"}), "dj_slug"),
        bad_with(json!({"timezone": "Mars/Olympus"}), "timezone"),
        bad_with(json!({"timezone": 5}), "timezone"),
        bad_with(json!({"real_phone_number": "123"}), "real_phone_number"),
        bad_with(json!({"real_phone_number": "abc"}), "real_phone_number"),
        bad_with(
            json!({"real_phone_number": "+1 000 000 0000"}),
            "real_phone_number",
        ),
        bad_with(json!({"is_published": "yes"}), "is_published"),
        bad_with(json!({"id": "not-a-uuid"}), "id"),
        bad_with(json!({"id": DJ_A.to_string()}), "id"),
        bad_with(json!({"product_context": "tipjar"}), "product_context"),
        Case::json(
            Method::PUT,
            new,
            with(&valid, json!({"colour": "red"})),
            400,
            "unknown_field",
            Some("colour"),
        ),
        bad_update(json!({"timezone": "Mars/Olympus"}), "timezone"),
        bad_update(json!({"real_phone_number": "123"}), "real_phone_number"),
        bad_update(json!({"dj_slug": "Not A Slug"}), "dj_slug"),
    ];
    cases.extend(body_format_cases(Method::PUT, new));
    run(&t, cases).await;
    // Nothing was created along the way.
    let reply = get(&t, new, t.service_key()).await;
    reply.assert_error(404, "not_found", None);
}

#[tokio::test]
async fn reading_a_profile_by_a_bad_or_unknown_id_is_refused() {
    let (t, _) = app_with_a_call().await;
    let cases = vec![
        Case::query("/api/djdash/profiles/not-a-uuid", "id"),
        Case::query("/api/djdash/profiles/%20", "id"),
        Case::get(
            &format!("/api/djdash/profiles/{NOBODY}"),
            404,
            "not_found",
            None,
        ),
    ];
    run(&t, cases).await;
}

/// A cursor in the API's own encoding (unpadded URL-safe base64 of `micros:id`), for forgeries.
fn cursor(micros: &str, id: &str) -> String {
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

/// Instants far outside any call's lifetime are refused in a body and harmless in a query, on
/// both databases (PostgreSQL cannot store years before 4713 BC; SQLite buckets days by offset
/// segments over the data's span).
async fn extreme_dates_never_cause_a_server_error(t: TestApp) {
    t.profile(DJ_A, "dj-a").await;
    let key = t.service_key();
    let a = DJ_A.to_string();
    for ts in [
        "-009999-01-03T00:00:00Z",
        "-004714-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-30T00:00:00Z",
    ] {
        let reply = post(
            &t,
            "/api/djdash/calls",
            key,
            &json!({"dj_profile_id": a, "timestamp": ts}),
        )
        .await;
        reply.assert_error_in(400, "invalid_field", Some("timestamp"), ts);
    }
    let logged = post(
        &t,
        "/api/djdash/calls",
        key,
        &json!({"dj_profile_id": a, "timestamp": "2026-06-16T11:59:59Z"}),
    )
    .await;
    logged.ok(201);
    for query in [
        "start_date=-009999-01-03T00:00:00Z",
        "end_date=-004714-01-03T00:00:00Z",
        "start_date=-009999-01-03T00:00:00Z&end_date=-004714-01-03T00:00:00Z",
        "start_date=0001-01-01&end_date=9999-12-29&tz=America/New_York",
        "end_date=9999-12-29T00:00:00Z&tz=Australia/Lord_Howe",
    ] {
        let expected_calls = usize::from(!query.contains("-004714"));
        let reply = get(
            &t,
            &format!("/api/djdash/calls?dj_profile_id={a}&{query}"),
            key,
        )
        .await;
        assert_eq!(
            reply.ok(200)["calls"].as_array().expect("calls").len(),
            expected_calls,
            "{query}"
        );
        let reply = get(
            &t,
            &format!("/api/djdash/calls/analytics?dj_profile_id={a}&{query}"),
            key,
        )
        .await;
        assert_eq!(
            reply.ok(200)["analytics"]["totalCalls"],
            json!(expected_calls),
            "{query}"
        );
        let reply = get(&t, &format!("/api/djdash/admin/analytics?{query}"), key).await;
        assert_eq!(
            reply.ok(200)["analytics"]["totalCalls"],
            json!(expected_calls),
            "{query}"
        );
    }
    let reply = get(
        &t,
        &format!(
            "/api/djdash/calls?dj_profile_id={a}&cursor={}",
            cursor("-377705116800000000", NOBODY)
        ),
        key,
    )
    .await;
    reply.assert_error(400, "invalid_field", Some("cursor"));
}

#[tokio::test]
async fn extreme_dates_never_cause_a_server_error_on_sqlite() {
    extreme_dates_never_cause_a_server_error(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn extreme_dates_never_cause_a_server_error_on_postgres() {
    let Some(t) = TestApp::postgres().await else {
        return;
    };
    extreme_dates_never_cause_a_server_error(t).await;
}

/// Text fields with control characters: PostgreSQL cannot store NUL, so it is refused on both.
async fn control_characters_in_text_are_refused(t: TestApp) {
    t.profile(DJ_A, "dj-a").await;
    let key = t.service_key();
    let a = DJ_A.to_string();
    for (field, value) in [
        ("notes", "a\u{0}b"),
        ("caller_name", "Pat\u{0}"),
        ("event_type", "wed\u{7}ding"),
        ("page_url", "https://x.example/\u{0}"),
    ] {
        let reply = post(
            &t,
            "/api/djdash/calls",
            key,
            &json!({"dj_profile_id": a, field: value}),
        )
        .await;
        reply.assert_error_in(400, "invalid_field", Some(field), field);
    }
    let reply = put(
        &t,
        &format!("/api/djdash/profiles/{a}"),
        key,
        &json!({"dj_name": "DJ\u{0}A"}),
    )
    .await;
    reply.assert_error(400, "invalid_field", Some("dj_name"));
    // Line breaks and tabs are what people type.
    let reply = post(
        &t,
        "/api/djdash/calls",
        key,
        &json!({"dj_profile_id": a, "notes": "line one\r\nline\ttwo"}),
    )
    .await;
    assert_eq!(
        reply.ok(201)["call"]["notes"],
        json!("line one\r\nline\ttwo")
    );
}

#[tokio::test]
async fn control_characters_in_text_are_refused_on_sqlite() {
    control_characters_in_text_are_refused(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn control_characters_in_text_are_refused_on_postgres() {
    let Some(t) = TestApp::postgres().await else {
        return;
    };
    control_characters_in_text_are_refused(t).await;
}
