//! Bad input to the call endpoints: logging, listing, analytics, reading and correcting a call.

use super::super::support::{DJ_A, NOBODY};
use super::matrix::*;
use reqwest::Method;
use serde_json::{Value, json};

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
