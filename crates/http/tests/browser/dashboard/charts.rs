//! The charts can be read (issue 13 part 3): dates along the bottom and values up the side,
//! every bar's figures the API's, said by its accessible label, and shown on keyboard focus
//! (hover uses the same CSS rule, and the bar's `<title>`); nothing on the page failed to load.

use super::support::*;
use djcalls_testkit::browser::{Browser, Page, Viewport};
use serde_json::Value;

/// The visible bar-value text of `chart`'s bars (only the focused or hovered one shows).
async fn visible_values(page: &Page, chart: &str) -> Value {
    page.eval(&format!(
        "return Array.from(document.querySelectorAll('#{chart} .bar-value'))\
         .filter(t => getComputedStyle(t).visibility === 'visible').map(t => t.textContent);"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_have_axes_and_show_each_days_figures_on_hover_and_focus() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let token = t.app.create_api_token(SPARKLE.0, "test").await.unwrap();
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    let analytics = api_analytics_for_page(&page, &t, &token).await;
    let days = analytics["callsByDay"].as_array().unwrap().clone();
    assert!(days.len() > 3, "the demo's days: {}", days.len());

    // Each chart: one bar per day, its figures the API's, in its accessible label.
    let bars = page
        .eval(
            "return Array.from(document.querySelectorAll('#calls-per-day .bar[data-day]'))\
             .map(b => [b.getAttribute('data-day'), b.getAttribute('data-value'), \
                        b.getAttribute('aria-label'), b.getAttribute('tabindex')]);",
        )
        .await;
    let bars = bars.as_array().unwrap();
    assert_eq!(bars.len(), days.len());
    for (bar, day) in bars.iter().zip(&days) {
        assert_eq!(bar[0], day["date"]);
        assert_eq!(bar[1].as_str().unwrap(), day["calls"].to_string());
        let label = bar[2].as_str().unwrap();
        for figure in [
            format!(": {} calls,", day["calls"]),
            format!(", {} answered,", day["answered"]),
            format!(", {} booked", day["booked"]),
        ] {
            assert!(label.contains(&figure), "{label} lacks {figure}");
        }
        assert_eq!(bar[3], "0", "focusable");
    }
    let revenue: Vec<String> = page
        .eval(
            "return Array.from(document.querySelectorAll('#revenue-per-day .bar[data-day]'))\
             .map(b => b.getAttribute('data-value'));",
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let api_revenue: Vec<String> = days.iter().map(|d| d["revenueCents"].to_string()).collect();
    assert_eq!(revenue, api_revenue);

    // Axes: the value axis starts at 0 and reaches the busiest day; dates run first to last.
    let ticks: Vec<i64> = page
        .eval(
            "return Array.from(document.querySelectorAll('#calls-per-day .axis-y .tick'))\
             .map(t => t.textContent);",
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().replace(',', "").parse().unwrap())
        .collect();
    let busiest = days
        .iter()
        .map(|d| d["calls"].as_i64().unwrap())
        .max()
        .unwrap();
    assert_eq!(ticks.first(), Some(&0));
    assert!(*ticks.last().unwrap() >= busiest, "{ticks:?} vs {busiest}");
    let dates = page
        .eval(
            "return Array.from(document.querySelectorAll('#calls-per-day .axis-x .tick'))\
             .map(t => t.textContent);",
        )
        .await;
    let dates = dates.as_array().unwrap();
    assert!(dates.len() >= 2 && dates.len() <= 7, "{dates:?}");
    let month_day = |date: &str| {
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let parts: Vec<usize> = date.split('-').map(|p| p.parse().unwrap()).collect();
        format!("{} {}", months[parts[1] - 1], parts[2])
    };
    let first = days.first().unwrap()["date"].as_str().unwrap();
    let last = days.last().unwrap()["date"].as_str().unwrap();
    assert!(dates[0].as_str().unwrap().starts_with(&month_day(first)));
    assert!(
        dates
            .last()
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with(&month_day(last))
    );

    // Nothing is shown until a bar is focused from the keyboard: then that bar's value.
    assert_eq!(
        visible_values(&page, "calls-per-day").await,
        serde_json::json!([])
    );
    page.eval("document.querySelector('#calls-per-day h2').setAttribute('tabindex', '-1'); document.querySelector('#calls-per-day h2').focus(); return null;")
        .await;
    type_keys(&page, TAB).await;
    assert!(
        focused(&page, "#calls-per-day .bar[data-day]").await,
        "Tab reaches the first bar"
    );
    let shown = |day: &Value| {
        let calls = day["calls"].as_i64().unwrap();
        let date = month_day(day["date"].as_str().unwrap());
        format!("{date}: {calls} call{}", if calls == 1 { "" } else { "s" })
    };
    let expected = shown(&days[0]);
    assert_eq!(
        visible_values(&page, "calls-per-day").await,
        serde_json::json!([expected])
    );
    type_keys(&page, TAB).await;
    let expected = shown(&days[1]);
    assert_eq!(
        visible_values(&page, "calls-per-day").await,
        serde_json::json!([expected]),
        "the next bar's value, the first one's hidden again"
    );
    page.screenshot("dashboard-chart-focus").await;

    assert_no_failed_loads(&page).await;
    page.close().await;
}
