//! `/api/docs` in headless Chromium: the vendored Swagger UI renders the service's own OpenAPI
//! document under the page CSP (no CDN, no inline script), listing the operations.

use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Viewport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_docs_show_the_document_operations() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = TestApp::sqlite().await;
    let page = browser.page(Viewport::Desktop).await;
    page.goto(&t.url("/api/docs/")).await;
    page.wait_until(
        "the operations of the document",
        "document.querySelectorAll('.opblock').length >= 25",
    )
    .await;
    let paths = page
        .eval(
            "return Array.from(document.querySelectorAll('.opblock-summary-path'))\
             .map(e => e.getAttribute('data-path'));",
        )
        .await;
    let paths: Vec<String> = serde_json::from_value(paths).unwrap();
    for path in [
        "/api/djdash/calls",
        "/api/djdash/calls/{id}",
        "/api/djdash/dni",
    ] {
        assert!(paths.iter().any(|p| p == path), "{path} not in {paths:?}");
    }
    let title = page
        .eval("return document.querySelector('.info .title').textContent;")
        .await;
    assert!(
        title.as_str().unwrap_or_default().contains("djcalls"),
        "{title}"
    );
    page.screenshot("api-docs").await;
    page.close().await;
}
