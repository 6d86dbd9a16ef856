//! Bad input to the profile endpoints, and control characters in text.

use super::super::support::{DJ_A, NOBODY, get, post, put};
use super::matrix::*;
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

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
