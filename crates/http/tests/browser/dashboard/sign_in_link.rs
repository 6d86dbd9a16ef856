//! Sign-in from DJ Dash in Chromium (SPEC §14): a link opens the DJ's dashboard signed in, and
//! the same link again lands on the sign-in page; the dashboards refuse a frame on another
//! origin unless `DJCALLS_FRAME_ANCESTORS` names it (a real cross-origin `<iframe>`, read
//! through WebDriver, which may enter any frame).

use super::support::*;
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Page, Viewport};
use serde_json::Value;

/// Mints a link as the service (on `base`, the app serving it); returns its URL.
async fn mint(t: &TestApp, base: &str) -> String {
    let minted: Value = t
        .client
        .post(format!("{base}/api/djdash/sign-in-links"))
        .bearer_auth(t.service_key())
        .json(&serde_json::json!({
            "dj_profile_id": SPARKLE_ID,
            "email": SPARKLE.0,
            "redirect": "/dashboard",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    minted["url"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_signs_the_dj_in_once() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let link = mint(&t, &t.base_url).await;
    let page = browser.page(Viewport::Desktop).await;
    page.goto(&link).await;
    page.wait_until(
        "the dashboard, signed in",
        "location.pathname === '/dashboard' && document.getElementById('dashboard')",
    )
    .await;
    page.screenshot("sign-in-link-dashboard").await;

    // The same link again, in a fresh window (no session): the sign-in page.
    let other = browser.page(Viewport::Desktop).await;
    other.goto(&link).await;
    other
        .wait_until(
            "the sign-in page",
            "location.pathname === '/login' && document.getElementById('login-form')",
        )
        .await;
    other.close().await;
    page.close().await;
}

/// A page on another origin (`http://localhost:<port>`, the app being on 127.0.0.1) whose
/// `/?src=<url>` frames `<url>` and marks the frame once it has loaded (or failed to).
async fn framer() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(
            |axum::extract::Query(q): axum::extract::Query<
                std::collections::HashMap<String, String>,
            >| async move {
                let src = q.get("src").cloned().unwrap_or_default();
                axum::response::Html(format!(
                    "<!doctype html><title>DJ Dash</title>\
                     <iframe id=f src=\"{src}\" width=800 height=600 \
                     onload=\"this.dataset.loaded='1'\"></iframe>"
                ))
            },
        ),
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (origin, server)
}

/// Opens the framer on `src` and tells whether its frame shows the sign-in form (a refused
/// frame shows Chromium's error page instead).
async fn frame_shows_sign_in(page: &Page, framer: &str, src: &str) -> bool {
    page.goto(&format!("{framer}/?src={src}")).await;
    page.wait_until(
        "the frame to load or be refused",
        "document.getElementById('f').dataset.loaded === '1'",
    )
    .await;
    page.client.clone().enter_frame(0).await.unwrap();
    let shown = page
        .client
        .execute(
            "return document.getElementById('login-form') !== null;",
            Vec::new(),
        )
        .await;
    page.client.clone().enter_parent_frame().await.unwrap();
    matches!(shown, Ok(Value::Bool(true)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_are_framed_only_by_the_configured_origin() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let (origin, server) = framer().await;
    let framed = TestApp::builder()
        .settings({
            let origin = origin.clone();
            move |s| s.frame_ancestors = vec![origin]
        })
        .serve_beside(&t)
        .await;
    let page = browser.page(Viewport::Desktop).await;
    assert!(
        !frame_shows_sign_in(&page, &origin, &t.url("/login")).await,
        "framing is refused when DJCALLS_FRAME_ANCESTORS is unset"
    );
    assert!(
        frame_shows_sign_in(&page, &origin, &framed.url("/login")).await,
        "the configured origin may frame the sign-in page"
    );
    page.screenshot("sign-in-framed").await;
    page.close().await;
    server.abort();
}
