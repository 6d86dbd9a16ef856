//! What the page shows: virtual numbers on phone and desktop, or the fallback without the API.

use super::support::*;
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Viewport};

async fn shows_virtual_numbers(viewport: Viewport, name: &str) {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = TestApp::sqlite().await;
    let d = djs(&t).await;
    let front = Front::start(&t.base_url).await;
    let html = page_html(&format!("{}/dni.js", front.url), "", &d);
    let (page_origin, page_server) = serve_page(html).await;
    let page = browser.page(viewport).await;
    front.reset();
    page.goto(&format!("{page_origin}/page")).await;
    page.wait_until("the widget to settle", SETTLED).await;
    // The page's viewport (after `<meta name=viewport>` applies on the phone).
    let (width, height) = viewport.size();
    assert_eq!(
        page.eval("return [window.innerWidth, window.innerHeight];")
            .await,
        serde_json::json!([width, height])
    );
    page.wait_until(
        "DJ Alpha's virtual number",
        "document.querySelector('#a [data-djdash-mode]')",
    )
    .await;

    let (a, b) = (&d.a.1, &d.b.1);
    let mode = if viewport == Viewport::Phone {
        "mobile"
    } else {
        "desktop"
    };
    for (sel, number) in [("#a a", a), ("#b a", b)] {
        assert_eq!(
            page.attr(sel, "href").await.as_deref(),
            Some(format!("tel:{}", number.as_str()).as_str())
        );
        assert_eq!(
            page.attr(sel, "data-djdash-mode").await.as_deref(),
            Some(mode)
        );
        let label = page.attr(sel, "aria-label").await.unwrap();
        assert_eq!(label, format!("Call {}", number.display()));
        let text = page.text(sel).await;
        if viewport == Viewport::Phone {
            assert_eq!(text, format!("Call {}", number.display()));
            assert_eq!(page.attr(sel, "role").await.as_deref(), Some("button"));
        } else {
            assert_eq!(text, number.display());
        }
        // Keyboard-focusable.
        let focused = page
            .eval(&format!(
                "var e = document.querySelector('{sel}'); e.focus(); return document.activeElement === e;"
            ))
            .await;
        assert_eq!(focused, serde_json::Value::Bool(true));
    }
    // DJ Charlie has no number: the page's fallback, or the form text.
    assert_eq!(
        page.attr("#c a", "href").await.as_deref(),
        Some(format!("tel:{FALLBACK}").as_str())
    );
    assert_eq!(
        page.attr("#c djdash-phone", "data-djdash-state")
            .await
            .as_deref(),
        Some("fallback")
    );
    assert_eq!(
        page.text("#d [data-djdash-phone]").await,
        "Contact via the inquiry form"
    );
    assert_no_real_number(&page).await;
    // Swapping the number into the reserved space did not move the text below it.
    let tops = page.eval("return window.__tops;").await;
    let tops = tops.as_array().unwrap();
    let top_in = |state: &str| {
        tops.iter()
            .rev()
            .find(|t| t[0] == state)
            .and_then(|t| t[1].as_f64())
            .unwrap_or_else(|| panic!("no {state} state recorded: {tops:?}"))
    };
    let (reserved, swapped) = (top_in("pending"), top_in("virtual"));
    assert!(
        (reserved - swapped).abs() < 0.5,
        "the page moved {reserved} → {swapped}"
    );
    // One request for all the numbers on the page.
    assert_eq!(front.count("/api/djdash/dni"), 1);
    assert_eq!(front.count("/dni.js"), 1);
    page.screenshot(name).await;
    page.close().await;
    page_server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_shows_a_call_button_with_the_virtual_number() {
    shows_virtual_numbers(Viewport::Phone, "widget-phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_shows_the_formatted_virtual_number() {
    shows_virtual_numbers(Viewport::Desktop, "widget-desktop").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_api_unreachable_the_fallback_shows() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = TestApp::sqlite().await;
    let d = djs(&t).await;
    let front = Front::start(&t.base_url).await;
    // The script loads, but its API is a port nothing listens on.
    let attrs = format!("data-api-base=\"http://127.0.0.1:{}\"", dead_port());
    let html = page_html(&format!("{}/dni.js", front.url), &attrs, &d);
    let (page_origin, page_server) = serve_page(html).await;
    for (viewport, name) in [
        (Viewport::Phone, "widget-api-down-phone"),
        (Viewport::Desktop, "widget-api-down-desktop"),
    ] {
        let page = browser.page(viewport).await;
        page.goto(&format!("{page_origin}/page")).await;
        page.wait_until("the widget to give up on the API", SETTLED)
            .await;
        for sel in ["#a djdash-phone", "#c djdash-phone"] {
            assert_eq!(
                page.attr(sel, "data-djdash-state").await.as_deref(),
                Some("fallback"),
                "{sel}"
            );
        }
        assert_eq!(
            page.attr("#a a", "href").await.as_deref(),
            Some(format!("tel:{FALLBACK}").as_str())
        );
        // No fallback given: the form text.
        assert_eq!(
            page.text("#b [data-djdash-phone]").await,
            "Contact via the inquiry form"
        );
        assert_eq!(
            page.text("#d [data-djdash-phone]").await,
            "Contact via the inquiry form"
        );
        let html = page.outer_html().await;
        assert!(!html.contains(d.a.1.as_str()) && !html.contains(d.b.1.as_str()));
        assert_no_real_number(&page).await;
        page.screenshot(name).await;
        page.close().await;
    }
    // The app itself was never asked for numbers.
    assert_eq!(front.count("/api/djdash/dni"), 0);
    page_server.abort();
}
