//! The widget never puts a link inside a link (issue 13): an `<a data-djdash-phone>` becomes
//! the call link itself, and a number inside someone else's link is plain text.

use super::support::*;
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Viewport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_in_or_on_a_link_never_nests_links() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = TestApp::sqlite().await;
    let d = djs(&t).await;
    let (a, b) = (d.a.0, d.b.0);
    let script = format!("{}/dni.js", t.base_url);
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Links</title></head><body>
<p id="own"><a data-djdash-phone="{a}" class="page-style" href="/contact">Call DJ Alpha</a></p>
<p id="inside"><a id="profile" href="/djs/bravo">DJ Bravo, <span data-djdash-phone="{b}"></span></a></p>
<script src="{script}"></script></body></html>"#
    );
    let (page_origin, page_server) = serve_page(html).await;
    let page = browser.page(Viewport::Desktop).await;
    page.goto(&format!("{page_origin}/page")).await;
    page.wait_until(
        "both numbers",
        "document.querySelectorAll('[data-djdash-state=\"virtual\"]').length === 2",
    )
    .await;

    assert_eq!(
        page.eval("return document.querySelectorAll('a a').length;")
            .await,
        serde_json::json!(0),
        "a link inside a link"
    );
    // The page's own link became the call link, keeping the page's class.
    let own = "#own a";
    assert_eq!(
        page.attr(own, "href").await.as_deref(),
        Some(format!("tel:{}", d.a.1.as_str()).as_str())
    );
    assert_eq!(page.text(own).await, d.a.1.display());
    assert_eq!(page.attr(own, "class").await.as_deref(), Some("page-style"));
    assert_eq!(
        page.attr(own, "aria-label").await.as_deref(),
        Some(format!("Call {}", d.a.1.display()).as_str())
    );
    // Inside the profile link: the number as text; the profile link is untouched.
    assert_eq!(
        page.attr("#profile", "href").await.as_deref(),
        Some("/djs/bravo")
    );
    assert_eq!(
        page.text("#inside [data-djdash-phone]").await,
        d.b.1.display()
    );
    assert_eq!(
        page.eval("return document.querySelectorAll('#inside a').length;")
            .await,
        serde_json::json!(1)
    );
    assert_no_real_number(&page).await;
    page.close().await;
    page_server.abort();
}
