//! The phone widget in headless Chromium (issue 5): a plain HTML page on another origin embeds
//! `dni.js` and shows the virtual numbers, never the real one, on a phone and on a desktop;
//! all numbers come from one request; a click records an event without holding up the dial;
//! with the API unreachable the fallback (or the form text) shows. Screenshots go to
//! `test-artifacts/screenshots/widget-*.png`.
//!
//! Topology: the app (port A) sits behind a small counting "front" proxy (port F) — the
//! origin the page loads `dni.js` from, so the script's own origin detection is exercised and
//! requests are counted server-side — and the page itself is served from a third origin (P).
//!
//! Skipped with a notice when Chromium is not installed (see `djcalls_testkit::browser`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderName, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::browser::{Browser, Page, Viewport, poll};
use djcalls_testkit::{DJ_REAL_NUMBER, TestApp};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fallback line the page author chose (never a DJ's real number).
const FALLBACK: &str = "+18005550199";

/// How long the front takes to answer the numbers request.
const API_LATENCY: Duration = Duration::from_millis(400);

/// A reverse proxy in front of the app that records every request path.
struct Front {
    url: String,
    hits: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Front {
    async fn start(app_base: &str) -> Front {
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let http = reqwest::Client::new();
        let upstream = app_base.to_string();
        let seen = hits.clone();
        let router = Router::new().fallback(move |req: Request| {
            let (http, upstream, seen) = (http.clone(), upstream.clone(), seen.clone());
            async move { forward(http, &upstream, &seen, req).await }
        });
        let (url, server) = serve(router).await;
        Front { url, hits, server }
    }

    /// Forgets the requests so far.
    fn reset(&self) {
        self.hits.lock().unwrap().clear();
    }

    fn count(&self, path: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.as_str() == path)
            .count()
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(
    http: reqwest::Client,
    upstream: &str,
    seen: &Mutex<Vec<String>>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    seen.lock().unwrap().push(parts.uri.path().to_string());
    if parts.uri.path() == "/api/djdash/dni" {
        // Network latency: the numbers arrive after the first paint, as on a real page, so
        // a swap that moved the layout would be measured.
        tokio::time::sleep(API_LATENCY).await;
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let body = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let mut out = http
        .request(parts.method.clone(), format!("{upstream}{path_and_query}"))
        .header("x-forwarded-for", "127.0.0.1")
        .body(body);
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name) {
            out = out.header(name, value);
        }
    }
    let Ok(answer) = out.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !is_hop_by_hop(name) {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response.body(Body::from(bytes)).unwrap()
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "host" | "connection" | "content-length" | "transfer-encoding" | "keep-alive"
    )
}

async fn serve(router: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, server)
}

/// A port nothing listens on.
fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two DJs with numbers (`a`, `b`) and one without (`c`).
struct Djs {
    a: (DjProfileId, PhoneNumber),
    b: (DjProfileId, PhoneNumber),
    c: DjProfileId,
}

async fn djs(t: &TestApp) -> Djs {
    let a = t
        .dj_with_number("dj-a", "DJ Alpha", "America/New_York")
        .await;
    let b = t
        .dj_with_number("dj-b", "DJ Bravo", "America/New_York")
        .await;
    let c = DjProfileId(uuid::Uuid::new_v4());
    t.profile(c, "dj-c").await;
    Djs { a, b, c }
}

/// The DJ Dash page: the custom element and the data attribute, for the three DJs, plus
/// hooks that count beacons and record whether the widget held up a tel: click.
fn page_html(script_src: &str, script_attrs: &str, d: &Djs) -> String {
    let (a, b, c) = (d.a.0, d.b.0, d.c);
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wedding DJs</title>
<script>
  // Where the paragraph below DJ Bravo's number sits each time the widget changes that
  // number's state (reserved space → number): the swap must not move it.
  window.__tops = [];
  new MutationObserver(function () {{
    var b = document.querySelector('#b [data-djdash-phone]');
    var d = document.getElementById('d');
    if (b && d) window.__tops.push([b.getAttribute('data-djdash-state'), d.getBoundingClientRect().top]);
  }}).observe(document.documentElement, {{ subtree: true, attributes: true, attributeFilter: ['data-djdash-state'] }});
</script>
<style>body {{ font: 18px/1.5 system-ui, sans-serif; margin: 2rem; }} p {{ margin: 1rem 0; }}</style>
</head><body>
<h1>Wedding DJs near you</h1>
<p id="a">DJ Alpha: <djdash-phone dj-profile-id="{a}" fallback-number="{FALLBACK}"></djdash-phone></p>
<p id="b">DJ Bravo: <span data-djdash-phone="{b}"></span></p>
<p id="c">DJ Charlie: <djdash-phone dj-profile-id="{c}" fallback-number="{FALLBACK}"></djdash-phone></p>
<p id="d">DJ Charlie (no fallback): <span data-djdash-phone="{c}"></span></p>
<script>
  window.__beacons = 0;
  var realBeacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = function (u, d) {{ window.__beacons++; return realBeacon(u, d); }};
  // Runs after the widget's own handler on the link: records whether the widget held up
  // the dial, then keeps the test page from leaving for the tel: handler.
  document.addEventListener('click', function (e) {{
    window.__lastClickPrevented = e.defaultPrevented;
    if (e.target.closest('a[href^="tel:"]')) e.preventDefault();
  }});
</script>
<script src="{script_src}" {script_attrs}></script>
</body></html>"#
    )
}

async fn serve_page(html: String) -> (String, tokio::task::JoinHandle<()>) {
    let router = Router::new().route(
        "/page",
        get(move || {
            let html = html.clone();
            async move { Html(html) }
        }),
    );
    serve(router).await
}

const SETTLED: &str = "window.__djdashPhone && window.__djdashPhone.batches >= 1";

/// Neither the E.164 real number nor any formatting of its digits is anywhere in the DOM.
async fn assert_no_real_number(page: &Page) {
    let html = page.outer_html().await;
    let digits = DJ_REAL_NUMBER.trim_start_matches("+1");
    let formatted = format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..]);
    for needle in [DJ_REAL_NUMBER, digits, &formatted, "555-0142"] {
        assert!(
            !html.contains(needle),
            "the real number ({needle}) is in the DOM"
        );
    }
}

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
