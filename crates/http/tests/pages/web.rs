//! The dashboards over HTTP (SPEC §9): sign-in and sessions, CSRF on every form post, the
//! dashboard's figures against the analytics API, access control, the admin console's forms,
//! mark as booked, and live updates over server-sent events.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_app::Clock;
use djcalls_app::limits::SignInAdmission;
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

#[path = "web/support.rs"]
mod support;
use support::*;

#[tokio::test]
async fn sign_in_sets_a_hardened_cookie_and_refuses_wrong_passwords() {
    let app = seeded().await;
    let client = client();
    let (status, _) = get(&client, &app, "/dashboard").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out → /login");
    let r = try_login(&client, &app, SPARKLE.0, "not-the-password").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let page = r.text().await.unwrap();
    assert!(page.contains("do not match an account"));
    let r = try_login(&client, &app, "nobody@demo.djcalls.test", "whatever").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("do not match an account"));

    let r = try_login(&client, &app, SPARKLE.0, SPARKLE.1).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/dashboard");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("djcalls_session="))
        .unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "plain http test server");
    let (status, page) = get(&client, &app, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-range=\"30d\""));
    assert!(page.contains("<meta name=\"viewport\""));

    // Signing out (with the token) ends the session.
    let token = csrf(&page);
    let r = post(&client, &app, "/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = get(&client, &app, "/dashboard").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_email() {
    let app = seeded().await;
    let client = client();
    for _ in 0..5 {
        let r = try_login(&client, &app, MARCO.0, "wrong-password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = try_login(&client, &app, MARCO.0, MARCO.1).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // Another account is not affected.
    let r = try_login(&client, &app, SPARKLE.0, SPARKLE.1).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn concurrent_wrong_passwords_cannot_slip_past_the_limit_and_the_window_ends() {
    let app = seeded().await;
    // Twelve guesses at once: each is counted before its password is checked, so exactly the
    // quota of five is checked and the rest are refused.
    let guesses = (0..12).map(|_| {
        let app = &app;
        async move {
            try_login(&client(), app, MARCO.0, "wrong-password")
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 7), "{statuses:?}");

    // Fifteen minutes later the window is over.
    let later = app.clock.now() + jiff::SignedDuration::from_mins(15);
    app.clock.set(later);
    let r = try_login(&client(), &app, MARCO.0, MARCO.1).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn successful_sign_ins_do_not_count_against_their_client() {
    let app = seeded().await;
    // An office behind one address: far more sign-ins than the client's failure quota.
    for i in 0..30 {
        let email = format!("user{i}@office.test");
        let admission = app.app.sign_in_attempt(&email, Some("198.51.100.20")).await;
        assert_eq!(admission.unwrap(), SignInAdmission::Check, "sign-in {i}");
        app.app
            .sign_in_succeeded(&email, Some("198.51.100.20"))
            .await
            .unwrap();
    }
    // Failures still count: the client's quota is twenty.
    for i in 0..20 {
        let email = format!("guess{i}@office.test");
        let admission = app.app.sign_in_attempt(&email, Some("198.51.100.20")).await;
        assert_eq!(admission.unwrap(), SignInAdmission::Check, "failure {i}");
    }
    let admission = app
        .app
        .sign_in_attempt("one-more@office.test", Some("198.51.100.20"))
        .await
        .unwrap();
    assert!(
        matches!(admission, SignInAdmission::Refused { .. }),
        "{admission:?}"
    );
}

#[tokio::test]
async fn every_form_post_needs_the_session_csrf_token() {
    let app = seeded().await;
    // Sign-in itself: without the form's token (fresh client, no cookie) → 403.
    let r = post(
        &client(),
        &app,
        "/login",
        &[("email", ADMIN.0), ("password", ADMIN.1)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = login(&app, ADMIN).await;
    let call = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let posts = [
        "/logout".to_string(),
        format!("/dashboard/calls/{call}/booked"),
        "/admin/numbers/buy".into(),
        "/admin/numbers/assign".into(),
        "/admin/numbers/release".into(),
        format!("/admin/jobs/{}/retry", uuid::Uuid::new_v4()),
    ];
    for path in &posts {
        for form in [vec![], vec![("csrf", "wrong-token")]] {
            let r = post(&admin, &app, path, &form).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "POST {path} {form:?}");
        }
        // And signed out altogether.
        let r = post(&client(), &app, path, &[("csrf", "x")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "POST {path} signed out");
    }
    // Still signed in: none of them logged the admin out.
    let (status, _) = get(&admin, &app, "/admin").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn dashboard_figures_equal_the_analytics_api() {
    let app = seeded().await;
    let dj = login(&app, SPARKLE).await;
    let token = app.app.create_api_token(SPARKLE.0, "test").await.unwrap();
    for range in ["7d", "30d", "90d", "all"] {
        let (status, page) = get(&dj, &app, &format!("/dashboard?range={range}")).await;
        assert_eq!(status, 200);
        assert_eq!(attr_after(&page, "id=\"dashboard\"", "data-range"), range);
        let start = attr_after(&page, "id=\"dashboard\"", "data-start");
        let end = attr_after(&page, "id=\"dashboard\"", "data-end");
        let tz = attr_after(&page, "id=\"dashboard\"", "data-tz");
        assert_eq!(tz, "America/New_York");
        assert_eq!(start.is_empty(), range == "all");
        let api: Value = app
            .client
            .get(app.url(&format!(
                "/api/djdash/calls/analytics?start_date={start}&end_date={end}&tz={}",
                tz.replace('/', "%2F")
            )))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let analytics = &api["analytics"];
        let pairs = metrics(&page);
        assert!(pairs.len() >= 22, "{range}: {} figures", pairs.len());
        for (key, value) in &pairs {
            let expected = key.split('.').fold(analytics, |v, k| &v[k]);
            assert!(!expected.is_null(), "{range}: {key} is not an API field");
            assert_eq!(value, &expected.to_string(), "{range}: {key}");
        }
        for field in [
            "totalCalls",
            "conversionRate",
            "totalRevenue",
            "leadScoreBreakdown.hot",
        ] {
            assert!(pairs.iter().any(|(k, _)| k == field), "{range}: no {field}");
        }
        assert!(
            analytics["totalCalls"].as_i64().unwrap() > 0,
            "{range}: seeded calls"
        );
        // Each chart has one bar per day of callsByDay, with the same figures.
        let days = analytics["callsByDay"].as_array().unwrap();
        for (chart, field) in [
            ("calls-per-day", "calls"),
            ("revenue-per-day", "revenueCents"),
        ] {
            let section = &page[page.find(&format!("id=\"{chart}\"")).unwrap()..];
            let section = &section[..section.find("</section>").unwrap()];
            let bars: Vec<(String, String)> = section
                .match_indices("data-day=\"")
                .map(|(i, _)| {
                    (
                        attr_after(&section[i..], "data-day", "data-day"),
                        attr_after(&section[i..], "data-day", "data-value"),
                    )
                })
                .collect();
            assert_eq!(bars.len(), days.len(), "{range} {chart}");
            for ((date, value), day) in bars.iter().zip(days) {
                assert_eq!(date, day["date"].as_str().unwrap(), "{chart}");
                assert_eq!(value, &day[field].to_string(), "{chart} {date}");
            }
        }
    }
    let (status, _) = get(&dj, &app, "/dashboard?range=12d").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A DJ sees only their own calls and never the admin console; on both backends.
async fn djs_are_kept_to_their_own(app: TestApp) {
    app.app.seed_demo().await.unwrap();
    let dj = login(&app, SPARKLE).await;
    let marco = DjProfileId(MARCO_ID.parse().unwrap());
    let theirs = app.calls_of(marco).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        format!("/dashboard/calls/{theirs}"),
        format!("/dashboard/calls/{theirs}/row"),
        format!("/dashboard/calls/{theirs}/recording"),
    ] {
        let (status, page) = get(&dj, &app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("data-testid=\"error\""), "an HTML error page");
    }
    let (status, _) = get(&dj, &app, &format!("/dashboard?dj_profile_id={MARCO_ID}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = get(&dj, &app, "/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("<html"));
    let (status, _) = get(&dj, &app, "/admin/events").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mine = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, page) = get(&dj, &app, &format!("/dashboard/calls/{mine}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"timeline\""));
    let token = csrf(&page);
    let r = post(
        &dj,
        &app,
        "/admin/numbers/buy",
        &[("csrf", &token), ("count", "1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn djs_are_kept_to_their_own_on_sqlite() {
    djs_are_kept_to_their_own(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn djs_are_kept_to_their_own_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        djs_are_kept_to_their_own(app).await;
    }
}

#[tokio::test]
async fn mark_as_booked_changes_the_call() {
    let app = seeded().await;
    let dj = login(&app, SPARKLE).await;
    let calls = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await;
    let call = calls.iter().find(|c| c["is_booked"] == false).unwrap();
    let id = call["id"].as_str().unwrap();
    let (status, page) = get(&dj, &app, &format!("/dashboard/calls/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"mark-booked\""));
    let r = post(
        &dj,
        &app,
        &format!("/dashboard/calls/{id}/booked"),
        &[("csrf", &csrf(&page)), ("booked", "true")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await;
    let call = after.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(call["is_booked"], true);
    let (_, page) = get(&dj, &app, &format!("/dashboard/calls/{id}")).await;
    assert!(page.contains("data-booked=\"true\""));
}

#[path = "web/admin_and_live.rs"]
mod admin_and_live;
#[path = "web/call_conversation.rs"]
mod call_conversation;
#[path = "web/call_corrections.rs"]
mod call_corrections;
#[path = "web/contacts.rs"]
mod contacts;
#[path = "web/contacts_exports.rs"]
mod contacts_exports;
#[path = "web/demo_calls.rs"]
mod demo_calls;
#[path = "web/demo_history.rs"]
mod demo_history;
#[path = "web/exports.rs"]
mod exports;
#[path = "web/form_fuzz.rs"]
mod form_fuzz;
mod live_across_processes;
#[path = "web/live_sign_out.rs"]
mod live_sign_out;
#[path = "web/pending_refunds_console.rs"]
mod pending_refunds_console;
#[path = "web/security_headers.rs"]
mod security_headers;
#[path = "web/sign_in_links.rs"]
mod sign_in_links;
#[path = "web/sign_in_safety.rs"]
mod sign_in_safety;
#[path = "web/webhooks_console.rs"]
mod webhooks_console;
