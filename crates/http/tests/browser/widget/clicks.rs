//! A click is recorded without holding up the dial and attributes the call.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{Actor, PhoneNumber};
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Viewport, poll};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_is_recorded_without_holding_up_the_dial_and_attributes_the_call() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = TestApp::sqlite().await;
    let d = djs(&t).await;
    let front = Front::start(&t.base_url).await;
    let html = page_html(&format!("{}/dni.js", front.url), "", &d);
    let (page_origin, page_server) = serve_page(html).await;
    let page = browser.page(Viewport::Desktop).await;
    page.goto(&format!(
        "{page_origin}/page?utm_source=newsletter&utm_medium=email&utm_campaign=june&gclid=g-123"
    ))
    .await;
    page.wait_until(
        "DJ Alpha's number",
        "document.querySelector('#a [data-djdash-mode]')",
    )
    .await;
    page.click("#a a").await;
    page.wait_until("the beacon", "window.__beacons === 1")
        .await;
    assert_eq!(
        page.eval("return window.__lastClickPrevented;").await,
        serde_json::Value::Bool(false),
        "the widget must not hold up the tel: link"
    );
    let visitor = page
        .eval("return localStorage.getItem('djdash_vid');")
        .await
        .as_str()
        .unwrap()
        .to_string();

    // The click reaches the store (polled, not slept for).
    let dj = d.a.0;
    let recorded = poll(Duration::from_secs(10), || async {
        !t.app
            .recent_clicks(&Actor::System, dj, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(recorded, "no click recorded");
    let clicks = t.app.recent_clicks(&Actor::System, dj, 10).await.unwrap();
    assert_eq!(clicks.len(), 1);
    let c = &clicks[0];
    assert_eq!(c.visitor_id.as_deref(), Some(visitor.as_str()));
    assert_eq!(c.utm_source.as_deref(), Some("newsletter"));
    assert_eq!(c.utm_medium.as_deref(), Some("email"));
    assert_eq!(c.utm_campaign.as_deref(), Some("june"));
    assert_eq!(c.gclid.as_deref(), Some("g-123"));
    assert!(
        c.page_url
            .as_deref()
            .unwrap()
            .starts_with(&format!("{page_origin}/page?utm_source=newsletter"))
    );
    assert_eq!(front.count("/api/djdash/clicks"), 1);
    page.screenshot("widget-desktop-clicked").await;

    // The UTM parameters are remembered for the session: a second page without them.
    page.goto(&format!("{page_origin}/page")).await;
    page.wait_until(
        "DJ Bravo's number",
        "document.querySelector('#b [data-djdash-mode]')",
    )
    .await;
    page.click("#b a").await;
    let b = d.b.0;
    let recorded = poll(Duration::from_secs(10), || async {
        !t.app
            .recent_clicks(&Actor::System, b, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(recorded, "no click recorded for DJ Bravo");
    let clicks = t.app.recent_clicks(&Actor::System, b, 10).await.unwrap();
    assert_eq!(clicks[0].utm_campaign.as_deref(), Some("june"));
    assert_eq!(clicks[0].visitor_id.as_deref(), Some(visitor.as_str()));
    page.close().await;
    page_server.abort();

    // The call that follows is linked to the click.
    let s = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse("+14155550123").unwrap(),
        d.a.1.clone(),
    );
    deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    let attribution = &calls[0]["attribution"];
    assert_eq!(attribution["utm_source"], "newsletter");
    assert_eq!(attribution["visitor_id"], visitor.as_str());
    assert_eq!(attribution["confidence"], "high");
}
