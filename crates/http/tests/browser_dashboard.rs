//! The dashboards in headless Chromium (issue 5, SPEC §9), against the real app with the demo
//! world: a DJ signs in through the form and sees the analytics API's figures for the same
//! range, switches the range with the page's own control, and watches a simulated call arrive
//! without a reload; another DJ's call page and the admin console are refused; an admin buys
//! pool numbers and retries a dead job from the console; the dashboard fits a phone and the
//! sign-in form works from the keyboard. Screenshots go to
//! `test-artifacts/screenshots/dashboard-*.png`.
//!
//! Skipped with a notice when Chromium is not installed (see `djcalls_testkit::browser`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_app::Clock;
use djcalls_app::demo::DemoWorld;
use djcalls_app::records::DbTime;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{DjProfileId, PhoneNumber};
use djcalls_store::jobs::NewJob;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Page, Viewport};
use serde_json::Value;

const SPARKLE: (&str, &str) = ("sparkle@demo.djcalls.test", "sparkle-demo-pass");
const ADMIN: (&str, &str) = ("admin@demo.djcalls.test", "admin-demo-pass");
const SPARKLE_ID: &str = "0d1a0000-0000-4000-8000-000000000001";
const MARCO_ID: &str = "0d1a0000-0000-4000-8000-000000000002";

/// WebDriver's Tab and Enter keys.
const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

fn sparkle() -> DjProfileId {
    DjProfileId(SPARKLE_ID.parse().unwrap())
}

async fn seeded() -> TestApp {
    seeded_world().await.0
}

async fn seeded_world() -> (TestApp, DemoWorld) {
    let t = TestApp::sqlite().await;
    let world = t.app.seed_demo().await.unwrap();
    (t, world)
}

/// Types `text` into the element the keyboard is on.
async fn type_keys(page: &Page, text: &str) {
    page.client
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks into the field `css`, empties it and types `text`, as a person would.
async fn fill(page: &Page, css: &str, text: &str) {
    page.click(css).await;
    let field = page.client.active_element().await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Whether the keyboard is on the first element matching `css`.
async fn focused(page: &Page, css: &str) -> bool {
    page.eval(&format!(
        "return document.activeElement === document.querySelector('{css}');"
    ))
    .await
        == Value::Bool(true)
}

/// Signs in through the real form (typing, then clicking "Sign in"); waits for the page the
/// account lands on (`landing`: `dashboard` for DJs, `admin` for admins).
async fn sign_in(page: &Page, t: &TestApp, (email, password): (&str, &str), landing: &str) {
    page.goto(&t.url("/login")).await;
    page.wait_until("the sign-in form", "document.getElementById('login-form')")
        .await;
    fill(page, "#email", email).await;
    fill(page, "#password", password).await;
    page.click("[data-testid=login-submit]").await;
    page.wait_until(
        &format!("the {landing} page after signing in"),
        &format!("location.pathname === '/{landing}' && document.getElementById('{landing}')"),
    )
    .await;
}

/// Every `[data-metric]` of the page as `(data-metric, data-value)`, read from the live DOM.
async fn dom_metrics(page: &Page) -> Vec<(String, String)> {
    let pairs = page
        .eval(
            "return Array.from(document.querySelectorAll('[data-metric]'))\
             .map(e => [e.getAttribute('data-metric'), e.getAttribute('data-value')]);",
        )
        .await;
    pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The metric `key`'s `data-value` in the DOM right now.
async fn dom_metric(page: &Page, key: &str) -> String {
    page.attr(&format!("[data-metric='{key}']"), "data-value")
        .await
        .unwrap_or_else(|| panic!("no data-value on {key}"))
}

/// The figures on the open dashboard equal `GET /api/djdash/calls/analytics` for the range
/// the page names (`data-start`, `data-end`, `data-tz`, the DJ's id), asked with `token`.
async fn assert_figures_match_the_api(page: &Page, t: &TestApp, token: &str, range: &str) {
    assert_eq!(
        page.attr("#dashboard", "data-range").await.as_deref(),
        Some(range)
    );
    let start = page.attr("#dashboard", "data-start").await.unwrap();
    let end = page.attr("#dashboard", "data-end").await.unwrap();
    let tz = page.attr("#dashboard", "data-tz").await.unwrap();
    let dj = page.attr("#dashboard", "data-dj-profile-id").await.unwrap();
    assert_eq!(dj, SPARKLE_ID);
    assert_eq!(tz, "America/New_York");
    assert_eq!(start.is_empty(), range == "all", "{range}: start {start:?}");
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("dj_profile_id", &dj)
        .append_pair("start_date", &start)
        .append_pair("end_date", &end)
        .append_pair("tz", &tz)
        .finish();
    let api: Value = t
        .client
        .get(t.url(&format!("/api/djdash/calls/analytics?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let analytics = &api["analytics"];
    assert!(
        analytics["totalCalls"].as_i64().unwrap() > 0,
        "{range}: the demo's calls"
    );
    let pairs = dom_metrics(page).await;
    assert!(pairs.len() >= 22, "{range}: only {} figures", pairs.len());
    for (key, value) in &pairs {
        let expected = key.split('.').fold(analytics, |v, k| &v[k]);
        let expected = match expected {
            Value::Null => panic!("{range}: {key} is not an analytics field"),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(value, &expected, "{range}: {key}");
    }
    for key in [
        "totalCalls",
        "bookedCalls",
        "conversionRate",
        "totalRevenue",
        "leadScoreBreakdown.hot",
    ] {
        assert!(pairs.iter().any(|(k, _)| k == key), "{range}: no {key}");
    }
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dj_opens_their_own_call_and_is_refused_another_dj_s_and_the_admin_console() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;

    // Their own call.
    let calls = t.calls_of(sparkle()).await;
    let mine = calls
        .iter()
        .find(|c| c["is_booked"] == false && c["call_status"] == "completed")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    page.goto(&t.url(&format!("/dashboard/calls/{mine}"))).await;
    page.wait_until(
        "the call page",
        "document.querySelector('[data-testid=call-page]') && document.querySelector('[data-testid=timeline]')",
    )
    .await;
    page.screenshot("dashboard-call").await;
    // Mark as booked, through the page's form.
    page.click("[data-testid=mark-booked]").await;
    page.wait_until(
        "the call to be booked",
        "document.querySelector('[data-testid=call-page]').getAttribute('data-booked') === 'true'",
    )
    .await;
    assert_eq!(page.text("[data-testid=booked]").await, "Yes");

    // Another DJ's call page.
    let theirs = t.calls_of(DjProfileId(MARCO_ID.parse().unwrap())).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    page.goto(&t.url(&format!("/dashboard/calls/{theirs}")))
        .await;
    page.wait_until(
        "the refusal page",
        "document.querySelector('[data-testid=error]')",
    )
    .await;
    let status = page.attr("[data-testid=error]", "data-status").await;
    assert!(
        matches!(status.as_deref(), Some("403" | "404")),
        "another DJ's call: {status:?}"
    );
    assert!(
        page.eval("return document.querySelector('[data-testid=call-page]') === null;")
            .await
            == Value::Bool(true)
    );
    page.screenshot("dashboard-call-refused").await;

    // The admin console: no link to it, and refused when typed in.
    assert!(
        page.eval("return document.querySelector('[data-testid=nav-admin]') === null;")
            .await
            == Value::Bool(true)
    );
    page.goto(&t.url("/admin")).await;
    page.wait_until(
        "the refusal page",
        "document.querySelector('[data-testid=error]')",
    )
    .await;
    assert_eq!(
        page.attr("[data-testid=error]", "data-status")
            .await
            .as_deref(),
        Some("403")
    );
    assert!(
        page.eval("return document.getElementById('admin') === null;")
            .await
            == Value::Bool(true)
    );
    page.close().await;
}

/// How many numbers of area code 415 the pool table lists.
const IN_415: &str = "return Array.from(document.querySelectorAll('[data-testid=numbers] tbody tr'))\
     .filter(r => r.children[3].textContent.trim() === '415').length;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_buys_pool_numbers_and_retries_a_dead_job_from_the_console() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    // A dead job: a kind nobody handles, one attempt.
    let now = DbTime(t.clock.now());
    let job = NewJob {
        kind: "no_such_kind".into(),
        payload: "{}".into(),
        dedupe_key: format!("test:{}", uuid::Uuid::new_v4()),
        dj_profile_id: None,
        run_at: now,
        max_attempts: 1,
    };
    assert!(t.app.store.enqueue_job(&job, now).await.unwrap());
    t.app.run_due_jobs().await;

    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, ADMIN, "admin").await;
    for id in [
        "pool",
        "jobs",
        "numbers",
        "buy-form",
        "dead-jobs",
        "figures",
    ] {
        assert!(
            page.eval(&format!(
                "return document.querySelector('[data-testid={id}]') !== null;"
            ))
            .await
                == Value::Bool(true),
            "no {id} on /admin"
        );
    }
    page.screenshot("dashboard-admin").await;

    // Buy two numbers in 415 through the pool form.
    let available: i64 = page
        .attr("[data-testid=pool-available]", "data-value")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let before_415 = page.eval(IN_415).await.as_i64().unwrap();
    fill(&page, "#buy-count", "2").await;
    fill(&page, "#buy-area", "415").await;
    page.click("[data-testid=buy-submit]").await;
    page.wait_until(
        "the pool after buying",
        &format!(
            "new URLSearchParams(location.search).get('notice') === 'bought' \
             && document.querySelector('[data-testid=pool-available]').getAttribute('data-value') === '{}'",
            available + 2
        ),
    )
    .await;
    assert!(!page.text("[data-testid=notice]").await.is_empty());
    let after_415 = page.eval(IN_415).await.as_i64().unwrap();
    assert_eq!(after_415, before_415 + 2);

    // Retry the dead job.
    let id = page
        .attr(
            "[data-testid=dead-jobs] tbody tr[data-job-id]",
            "data-job-id",
        )
        .await
        .unwrap();
    page.click(&format!("[data-testid=retry-{id}]")).await;
    page.wait_until(
        "the job to be pending again",
        &format!(
            "new URLSearchParams(location.search).get('notice') === 'retried' \
             && !document.querySelector('[data-testid=retry-{id}]') \
             && document.querySelector('[data-testid=pending-jobs] tr[data-job-id=\"{id}\"]')"
        ),
    )
    .await;
    page.screenshot("dashboard-admin-after-forms").await;
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_sign_in_works_from_the_keyboard_and_the_dashboard_fits() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Phone).await;
    page.goto(&t.url("/login")).await;
    page.wait_until("the sign-in form", "document.getElementById('login-form')")
        .await;
    // Every visible field has a label.
    let unlabelled = page
        .eval(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))\
             .filter(i => !(i.id && document.querySelector('label[for=\"' + i.id + '\"]')))\
             .map(i => i.name);",
        )
        .await;
    assert_eq!(unlabelled, serde_json::json!([]), "inputs without labels");
    page.screenshot("dashboard-login-phone").await;

    // Email, Tab, password, Tab: the keyboard is on "Sign in"; Enter submits.
    fill(&page, "#email", SPARKLE.0).await;
    type_keys(&page, TAB).await;
    assert!(focused(&page, "#password").await, "Tab to the password");
    type_keys(&page, SPARKLE.1).await;
    type_keys(&page, TAB).await;
    assert!(
        focused(&page, "[data-testid=login-submit]").await,
        "Tab reaches the sign-in button"
    );
    type_keys(&page, ENTER).await;
    page.wait_until(
        "the dashboard after signing in",
        "location.pathname === '/dashboard' && document.getElementById('dashboard')",
    )
    .await;

    // Phone-sized and usable: the page's viewport, nothing wider than the screen.
    assert_eq!(
        page.eval("return [window.innerWidth, window.innerHeight];")
            .await,
        serde_json::json!([390, 844])
    );
    let widths = page
        .eval("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    assert!(
        widths[0].as_i64().unwrap() <= widths[1].as_i64().unwrap(),
        "the dashboard scrolls sideways on a phone: {widths}"
    );
    assert!(dom_metrics(&page).await.len() >= 22);
    assert!(
        page.eval("return document.querySelectorAll('#call-rows > tr').length > 0;")
            .await
            == Value::Bool(true)
    );
    page.screenshot("dashboard-dj-phone").await;
    page.close().await;
}
