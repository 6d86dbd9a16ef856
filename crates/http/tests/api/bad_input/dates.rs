//! Extreme dates never cause a server error.

use super::super::support::{DJ_A, NOBODY, get, post};
use super::matrix::*;
use djcalls_testkit::TestApp;
use serde_json::json;

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
