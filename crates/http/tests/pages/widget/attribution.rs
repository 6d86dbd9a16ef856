//! The attribution of a call to the click before it.

use super::support::*;
use djcalls_testkit::TestApp;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

async fn attribution_after_click(t: &TestApp) {
    let (dj, number) = t
        .dj_with_number("attributed", "Attributed DJ", "America/Chicago")
        .await;
    let (other, _) = t
        .dj_with_number("other-dj", "Other DJ", "America/Chicago")
        .await;
    // A click on another DJ's widget never counts for this DJ.
    post_click(
        t,
        &click_body(t, other).to_string(),
        "application/json",
        "192.0.2.1",
    )
    .await;
    let r = post_click(t, &click_body(t, dj).to_string(), "text/plain", "192.0.2.1").await;
    assert_eq!(r.status(), 202);
    let clicked_at = t.app.now().0;
    advance(t, SignedDuration::from_mins(2));
    call(t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    let a = &calls[0]["attribution"];
    assert_eq!(a["confidence"], "high", "{a}");
    assert_eq!(a["dj_profile_id"], dj.to_string());
    assert_eq!(
        a["page_url"],
        "https://www.thebash.com/dj/spin-city?utm_source=google&gclid=abc123"
    );
    // The call's own page_url is the click's page (issue 13 part 5).
    assert_eq!(calls[0]["page_url"], a["page_url"]);
    assert_eq!(a["referrer"], "https://www.google.com/");
    assert_eq!(a["visitor_id"], "3f1c2b9e-7d4a-4c1e-9b7a-2d5e8f0a1b2c");
    assert_eq!(a["utm_source"], "google");
    assert_eq!(a["utm_medium"], "cpc");
    assert_eq!(a["utm_campaign"], "summer-weddings");
    assert_eq!(a["utm_term"], "wedding dj");
    assert_eq!(a["utm_content"], "ad-1");
    assert_eq!(a["gclid"], "abc123");
    assert_eq!(
        a["clicked_at"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap(),
        clicked_at
    );

    // A second visitor clicks, and 15 minutes later a call comes: linked, but only "low".
    let mut second = click_body(t, dj);
    second["visitor_id"] = json!("visitor-two");
    post_click(t, &second.to_string(), "application/json", "192.0.2.2").await;
    advance(t, SignedDuration::from_mins(15));
    call(t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 2);
    let newest = calls
        .iter()
        .find(|c| c["attribution"]["visitor_id"] == "visitor-two")
        .expect("the second call is linked to the second click");
    assert_eq!(newest["attribution"]["confidence"], "low");
    // The first call's attribution did not change.
    assert!(
        calls
            .iter()
            .any(|c| c["attribution"]["confidence"] == "high")
    );
}

#[tokio::test]
async fn a_call_after_a_click_carries_its_attribution_sqlite() {
    attribution_after_click(&TestApp::sqlite().await).await;
}

#[tokio::test]
async fn a_call_after_a_click_carries_its_attribution_postgres() {
    let Some(t) = TestApp::postgres().await else {
        return;
    };
    attribution_after_click(&t).await;
}

#[tokio::test]
async fn a_call_without_a_recent_click_has_no_attribution() {
    let t = TestApp::sqlite().await;
    let (dj, number) = t.dj_with_number("unclicked", "Unclicked DJ", "UTC").await;
    call(&t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    assert!(calls[0]["attribution"].is_null(), "{}", calls[0]);
    assert!(calls[0]["page_url"].is_null(), "{}", calls[0]);
    // A click older than 30 minutes is not linked either.
    post_click(
        &t,
        &click_body(&t, dj).to_string(),
        "application/json",
        "192.0.2.3",
    )
    .await;
    advance(&t, SignedDuration::from_mins(31));
    call(&t, &number).await;
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c["attribution"].is_null()));
}
