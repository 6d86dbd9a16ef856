//! `POST /api/djdash/clicks`: stored with server time, validation, unknown profiles, rate limit.

use super::support::*;
use axum::http::StatusCode;
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use jiff::SignedDuration;
use serde_json::{Value, json};

#[tokio::test]
async fn a_click_is_stored_with_the_server_time() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("click-dj", "Click DJ", "America/New_York")
        .await;
    // As sendBeacon sends a string: text/plain.
    let r = post_click(
        &t,
        &click_body(&t, dj).to_string(),
        "text/plain;charset=UTF-8",
        "198.51.100.1",
    )
    .await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let stored = clicks(&t, dj).await;
    assert_eq!(stored.len(), 1);
    let c = &stored[0];
    assert_eq!(c.clicked_at.0, t.app.now().0);
    assert_eq!(c.utm_campaign.as_deref(), Some("summer-weddings"));
    assert_eq!(c.gclid.as_deref(), Some("abc123"));
    assert_eq!(c.referrer.as_deref(), Some("https://www.google.com/"));
    // And as application/json, with only the id and its token.
    let r = post_click(
        &t,
        &json!({"dj_profile_id": dj, "click_token": t.app.click_token(dj)}).to_string(),
        "application/json",
        "198.51.100.1",
    )
    .await;
    assert_eq!(r.status(), 202);
    assert_eq!(clicks(&t, dj).await.len(), 2);
}

#[tokio::test]
async fn bad_clicks_are_refused_with_the_field_named() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("bad-click", "Bad Click", "America/New_York")
        .await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"dj_profile_id": "not-a-uuid"}), "dj_profile_id"),
        (json!({"page_url": "https://x.example/"}), "dj_profile_id"),
        (
            json!({"dj_profile_id": dj, "page_url": "javascript:alert(1)"}),
            "page_url",
        ),
        (
            json!({"dj_profile_id": dj, "page_url": format!("https://x.example/{}", "a".repeat(2048))}),
            "page_url",
        ),
        (
            json!({"dj_profile_id": dj, "utm_source": "x".repeat(300)}),
            "utm_source",
        ),
        (
            json!({"dj_profile_id": dj, "visitor_id": "<script>"}),
            "visitor_id",
        ),
        (json!({"dj_profile_id": dj, "gclid": 5}), "gclid"),
    ];
    for (body, field) in cases {
        let r = post_click(&t, &body.to_string(), "application/json", "198.51.100.2").await;
        assert_eq!(r.status(), 400, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["success"], false);
        assert_eq!(e["field"], field, "{body} → {e}");
    }
    let r = post_click(&t, "{", "application/json", "198.51.100.2").await;
    assert_eq!(r.status(), 400);
    let r = post_click(
        &t,
        &json!({"dj_profile_id": dj}).to_string(),
        "application/x-www-form-urlencoded",
        "198.51.100.2",
    )
    .await;
    assert_eq!(r.status(), 415);
    // Larger than the 8 KiB click limit (but well under the global 64 KiB).
    let big = json!({"dj_profile_id": dj, "padding": "x".repeat(9000)}).to_string();
    let r = post_click(&t, &big, "application/json", "198.51.100.2").await;
    assert_eq!(r.status(), 413);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "payload_too_large");
    assert!(clicks(&t, dj).await.is_empty());
}

#[tokio::test]
async fn a_click_for_an_unknown_profile_is_accepted_and_ignored() {
    let t = TestApp::sqlite().await;
    let unknown = DjProfileId(uuid::Uuid::new_v4());
    let r = post_click(
        &t,
        &click_body(&t, unknown).to_string(),
        "application/json",
        "198.51.100.3",
    )
    .await;
    assert_eq!(r.status(), 202);
    assert!(clicks(&t, unknown).await.is_empty());
}

#[tokio::test]
async fn clicks_are_rate_limited_per_client() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t
        .dj_with_number("busy-dj", "Busy DJ", "America/New_York")
        .await;
    let body = json!({"dj_profile_id": dj, "click_token": t.app.click_token(dj)}).to_string();
    let mut limited = None;
    for i in 0..40 {
        let r = post_click(&t, &body, "application/json", "203.0.113.9").await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, r));
            break;
        }
        assert_eq!(r.status(), 202);
    }
    let (i, r) = limited.expect("no 429 after 40 clicks from one client");
    assert_eq!(i, 20, "the burst is 20 clicks");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["success"], false);
    assert_eq!(e["code"], "rate_limited");
    // Another client is not affected; the proxy's last hop is the client.
    let r = post_click(&t, &body, "application/json", "203.0.113.9, 192.0.2.10").await;
    assert_eq!(r.status(), 202);
    assert_eq!(clicks(&t, dj).await.len(), 21);
}

#[tokio::test]
async fn a_click_needs_a_current_token_from_the_dni_answer() {
    let t = TestApp::sqlite().await;
    let (dj, _) = t.dj_with_number("signed", "Signed DJ", "UTC").await;
    let (other, _) = t.dj_with_number("other", "Other DJ", "UTC").await;
    let dni: Value = t
        .client
        .get(t.url(&format!("/api/djdash/dni?ids={dj}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = dni["numbers"][dj.to_string()]["click_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (issued, tag) = token.split_once('.').unwrap();
    let later = format!("{}.{tag}", issued.parse::<i64>().unwrap() + 60);
    let post = |token: Value| {
        let body = json!({"dj_profile_id": dj, "click_token": token}).to_string();
        let t = &t;
        async move { post_click(t, &body, "text/plain", "198.51.100.40").await }
    };
    // Anyone who only knows the profile id, or brings another DJ's or an altered token.
    for bad in [
        Value::Null,
        json!(""),
        json!("not-a-token"),
        json!(t.app.click_token(other)),
        json!(later),
    ] {
        let r = post(bad.clone()).await;
        assert_eq!(r.status(), 400, "{bad}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["code"], "invalid_click_token", "{bad}");
    }
    assert!(clicks(&t, dj).await.is_empty());
    assert_eq!(post(json!(token)).await.status(), 202);
    assert_eq!(clicks(&t, dj).await.len(), 1);
    // A day later the page's token has expired.
    advance(&t, SignedDuration::from_hours(25));
    assert_eq!(post(json!(token)).await.status(), 400);
    assert_eq!(clicks(&t, dj).await.len(), 1);
}

/// The DNI answer's entry for a DJ is the same within a minute (its token says the minute it
/// was issued) and new after it; both tokens are accepted; a number change shows at once.
#[tokio::test]
async fn a_dni_entry_is_reused_within_its_minute_and_renewed_after() {
    let t = TestApp::sqlite().await;
    let (dj, number) = t.dj_with_number("minute", "Minute DJ", "UTC").await;
    let answer = || async {
        let r = t
            .client
            .get(t.url(&format!("/api/djdash/dni?ids={dj}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "application/json");
        let body: Value = r.json().await.unwrap();
        body["numbers"][dj.to_string()].clone()
    };
    let first = answer().await;
    assert_eq!(first["virtual_number"], number.as_str());
    assert_eq!(first["display_number"], number.display());
    let token = first["click_token"].as_str().unwrap().to_string();
    let issued: i64 = token.split_once('.').unwrap().0.parse().unwrap();
    assert_eq!(issued % 60, 0, "issued at the start of a minute: {token}");
    assert_eq!(answer().await, first, "the same minute, the same entry");

    advance(&t, SignedDuration::from_secs(61));
    let renewed = answer().await;
    let new_token = renewed["click_token"].as_str().unwrap().to_string();
    assert_ne!(new_token, token);
    assert_eq!(renewed["virtual_number"], number.as_str());
    for token in [&token, &new_token] {
        let body = json!({"dj_profile_id": dj, "click_token": token}).to_string();
        assert_eq!(
            post_click(&t, &body, "text/plain", "198.51.100.41")
                .await
                .status(),
            202
        );
    }
    assert_eq!(clicks(&t, dj).await.len(), 2);

    // Released within the minute: gone from the very next answer.
    let r = t
        .client
        .patch(t.url("/api/djdash/virtual-numbers"))
        .bearer_auth(djcalls_testkit::SERVICE_KEY)
        .json(&json!({"dj_profile_id": dj, "is_active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(answer().await, Value::Null);
}
