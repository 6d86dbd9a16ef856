//! A DJ sees the analytics API's figures per range, and a new call arrives without a reload.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::browser::{Browser, Viewport};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dj_signs_in_and_sees_the_analytics_api_figures_for_each_range() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let token = t.app.create_api_token(SPARKLE.0, "test").await.unwrap();
    let page = browser.page(Viewport::Desktop).await;
    page.goto(&t.url("/login")).await;
    page.wait_until("the sign-in form", "document.getElementById('login-form')")
        .await;
    page.screenshot("dashboard-login").await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    assert_eq!(page.text("[data-testid=signed-in-as]").await, SPARKLE.0);

    // The default range, then the others through the page's own range control.
    assert_figures_match_the_api(&page, &t, &token, "30d").await;
    page.screenshot("dashboard-dj-desktop").await;
    for range in ["all", "7d", "90d"] {
        page.click(&format!("[data-testid=range-{range}]")).await;
        page.wait_until(
            &format!("the {range} range"),
            &format!(
                "document.getElementById('dashboard').getAttribute('data-range') === '{range}' \
                 && document.querySelector('[data-testid=range-{range}]').getAttribute('aria-current') === 'page'"
            ),
        )
        .await;
        assert_figures_match_the_api(&page, &t, &token, range).await;
    }
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_call_appears_on_the_open_dashboard_without_a_reload() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let (t, world) = seeded_world().await;
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    // Subscribed to the live stream before the call starts.
    page.wait_until(
        "the live stream",
        "document.getElementById('dashboard').getAttribute('data-live') === 'on'",
    )
    .await;
    let before: i64 = dom_metric(&page, "totalCalls").await.parse().unwrap();
    // Marks this document: a reload would lose it.
    page.eval("window.__sameDocument = true; return null;")
        .await;

    let virtual_number = world
        .profiles
        .iter()
        .find(|(id, _, _)| *id == sparkle())
        .map(|(_, _, number)| number.clone())
        .unwrap();
    let caller = PhoneNumber::parse("+19175550777").unwrap();
    let scenario = CallScenario::new(
        CallOutcome::Answered,
        caller.clone(),
        PhoneNumber::parse(&virtual_number).unwrap(),
    );
    deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &scenario.deliveries())
        .await
        .unwrap();
    let calls = t.calls_of(sparkle()).await;
    let call = calls
        .iter()
        .find(|c| c["caller_number"] == caller.as_str())
        .expect("the simulated call is recorded");
    let id = call["id"].as_str().unwrap();

    page.wait_until(
        "the new call's row",
        &format!(
            "document.querySelector('#call-rows > tr[data-call-id=\"{id}\"]') \
             && document.querySelector('#call-rows > tr[data-call-id=\"{id}\"]').getAttribute('data-status') === 'completed'"
        ),
    )
    .await;
    page.wait_until(
        "totalCalls to count the new call",
        &format!(
            "document.querySelector('[data-metric=totalCalls]').getAttribute('data-value') === '{}'",
            before + 1
        ),
    )
    .await;
    assert_eq!(
        page.eval("return window.__sameDocument === true;").await,
        Value::Bool(true),
        "the page was reloaded"
    );
    // The newest call is at the top of the list, and the page says it is live.
    assert_eq!(
        page.attr("#call-rows > tr", "data-call-id")
            .await
            .as_deref(),
        Some(id)
    );
    assert!(!page.text("[data-testid=live-status]").await.is_empty());
    page.eval(&format!(
        "document.getElementById('call-{id}').scrollIntoView({{block: 'center'}}); return null;"
    ))
    .await;
    page.screenshot("dashboard-dj-live-call").await;

    // Its page, opened from the new row: the webhooks' timeline.
    page.click(&format!("#call-{id} a")).await;
    page.wait_until(
        "the new call's page",
        &format!(
            "document.querySelector('[data-testid=call-page][data-call-id=\"{id}\"]') \
             && document.querySelectorAll('[data-testid=timeline] li').length > 0"
        ),
    )
    .await;
    assert_eq!(page.text("[data-testid=call-status]").await, "completed");
    page.screenshot("dashboard-call-simulated").await;
    page.close().await;
}
