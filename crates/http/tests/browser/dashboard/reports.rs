//! The report sections (SPEC §15) in Chromium: "Where calls come from" and the booking funnel
//! show the figures of `GET /api/djdash/reports/sources` and `…/funnel` for the page's range,
//! on the DJ's dashboard and the admin console; a custom range chosen with the two date
//! inputs applies to everything on the page, and the admin's call filters keep it; impossible
//! dates are a readable 400, not a 500.

use super::support::*;
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Page, Viewport};
use serde_json::{Value, json};

/// The report `kind` from the API for the range the open page names (`root`: its element id).
async fn api_report(page: &Page, t: &TestApp, token: &str, root: &str, kind: &str) -> Value {
    let root = format!("#{root}");
    let attr = |name: &'static str| page.attr(&root, name);
    let mut q = form_urlencoded::Serializer::new(String::new());
    let dj = attr("data-dj-profile-id").await.unwrap();
    if !dj.is_empty() {
        q.append_pair("dj_profile_id", &dj);
    }
    q.append_pair("start_date", &attr("data-start").await.unwrap())
        .append_pair("end_date", &attr("data-end").await.unwrap())
        .append_pair("tz", &attr("data-tz").await.unwrap());
    let url = t.url(&format!("/api/djdash/reports/{kind}?{}", q.finish()));
    let body: Value = t
        .client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["success"], true, "{body}");
    body
}

/// The page's sources table and funnel equal the API's for the page's range.
async fn assert_reports_match_the_api(page: &Page, t: &TestApp, token: &str, root: &str) {
    let sources = api_report(page, t, token, root, "sources").await["sources"].clone();
    let rows = page
        .eval(
            "return Array.from(document.querySelectorAll('[data-testid=source-row]')).map(r => \
             [r.dataset.source, r.dataset.medium, r.dataset.campaign, Number(r.dataset.calls), \
              Number(r.dataset.answered), Number(r.dataset.booked), Number(r.dataset.paid), \
              Number(r.dataset.revenueCents)]);",
        )
        .await;
    let key = |v: &Value| v.as_str().map_or("—".to_string(), str::to_string);
    let expected: Vec<Value> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            json!([
                key(&s["source"]),
                key(&s["medium"]),
                key(&s["campaign"]),
                s["calls"],
                s["answered"],
                s["booked"],
                s["paid"],
                s["revenueCents"]
            ])
        })
        .collect();
    assert!(!expected.is_empty(), "the demo's calls have sources");
    assert_eq!(rows, json!(expected));
    let funnel = api_report(page, t, token, root, "funnel").await["funnel"].clone();
    let stages = page
        .eval(
            "return Object.fromEntries(Array.from(document.querySelectorAll('[data-stage]'))\
             .map(e => [e.dataset.stage, Number(e.dataset.value)]));",
        )
        .await;
    assert_eq!(stages, funnel);
    // The funnel's bars: each stage's share of the numbers shown, drawn to scale.
    let bars = page
        .eval(
            "return Object.fromEntries(Array.from(document.querySelectorAll('[data-bar]'))\
             .map(e => [e.dataset.bar, Number(e.getAttribute('width'))]));",
        )
        .await;
    let bars = bars.as_object().unwrap();
    assert_eq!(bars.len(), 8, "one bar per counted stage: {bars:?}");
    let first = funnel["numbersShown"].as_f64().unwrap();
    for (stage, width) in bars {
        let value = funnel[stage].as_f64().unwrap();
        let expected = if first > 0.0 {
            (value * 1000.0 / first).round() / 10.0
        } else {
            0.0
        };
        assert_eq!(width.as_f64().unwrap(), expected, "{stage}");
    }
}

/// Sets the two date inputs and applies them with the form's button.
async fn choose_range(page: &Page, root: &str, start: &str, end: &str) {
    page.eval(&format!(
        "document.getElementById('range-start').value = '{start}';\
         document.getElementById('range-end').value = '{end}'; return true;"
    ))
    .await;
    page.click("[data-testid=range-apply]").await;
    page.wait_until(
        "the page for the chosen range",
        &format!(
            "document.getElementById('{root}')?.dataset.range === 'custom' \
             && document.getElementById('{root}').dataset.start === '{start}'"
        ),
    )
    .await;
}

/// Ten days ending at the page's last day.
async fn ten_days(page: &Page, root: &str) -> (String, String) {
    let end = page.attr(&format!("#{root}"), "data-end").await.unwrap();
    let last: jiff::civil::Date = end.parse().unwrap();
    let first = last.checked_sub(jiff::Span::new().days(9)).unwrap();
    (first.to_string(), end)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_sections_and_a_custom_range_show_the_apis_figures() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let token = t.app.create_api_token(SPARKLE.0, "test").await.unwrap();
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    assert_reports_match_the_api(&page, &t, &token, "dashboard").await;

    let (start, end) = ten_days(&page, "dashboard").await;
    choose_range(&page, "dashboard", &start, &end).await;
    assert_eq!(page.attr("#dashboard", "data-end").await.unwrap(), end);
    assert_figures_match_the_api(&page, &t, &token, "custom").await;
    assert_reports_match_the_api(&page, &t, &token, "dashboard").await;
    // The pager keeps the range.
    let newest = page.attr("nav.pager a", "href").await.unwrap();
    assert!(
        newest.contains("range=custom") && newest.contains(&format!("start_date={start}")),
        "{newest}"
    );
    assert_no_failed_loads(&page).await;
    page.screenshot("dashboard-reports").await;

    // The end before the start: a 400 page that says why.
    choose_range_expecting_error(&page, &end, &start).await;
    let text = page.text("body").await;
    assert!(
        text.contains("end_date must not be before start_date"),
        "{text}"
    );
    assert!(!text.contains("Something went wrong"), "{text}");

    // The admin console: the platform's figures, and the same custom range.
    let admin_token = t.app.create_api_token(ADMIN.0, "test").await.unwrap();
    let admin = browser.page(Viewport::Desktop).await;
    sign_in(&admin, &t, ADMIN, "admin").await;
    assert_reports_match_the_api(&admin, &t, &admin_token, "admin").await;
    let (start, end) = ten_days(&admin, "admin").await;
    choose_range(&admin, "admin", &start, &end).await;
    assert_reports_match_the_api(&admin, &t, &admin_token, "admin").await;
    // Filtering the calls by status keeps the custom range (issue 13: it fell back to 7d).
    admin
        .eval("document.getElementById('f-status').value = 'completed'; return true;")
        .await;
    admin.click("[data-testid=call-filters] button").await;
    admin
        .wait_until(
            "the calls filtered by status",
            "location.search.includes('status=completed') && document.getElementById('admin')",
        )
        .await;
    assert_eq!(admin.attr("#admin", "data-range").await.unwrap(), "custom");
    assert_eq!(admin.attr("#admin", "data-start").await.unwrap(), start);
    assert_eq!(admin.attr("#admin", "data-end").await.unwrap(), end);
    assert_eq!(
        admin
            .eval("return document.getElementById('f-range').value;")
            .await,
        json!("custom")
    );
    assert_no_failed_loads(&admin).await;
    admin.close().await;
    page.close().await;
}

async fn choose_range_expecting_error(page: &Page, start: &str, end: &str) {
    page.eval(&format!(
        "document.getElementById('range-start').value = '{start}';\
         document.getElementById('range-end').value = '{end}'; return true;"
    ))
    .await;
    page.click("[data-testid=range-apply]").await;
    page.wait_until(
        "the error page",
        "document.getElementById('dashboard') === null && document.body.textContent.includes('end_date')",
    )
    .await;
    let status = page
        .eval("return performance.getEntriesByType('navigation')[0].responseStatus;")
        .await;
    assert_eq!(status, 400);
}
