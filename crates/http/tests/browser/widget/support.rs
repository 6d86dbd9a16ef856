//! Shared topology: the counting front proxy, the page origin, the DJs and the real-number check.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderName, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use djcalls_domain::{DjProfileId, PhoneNumber};
use djcalls_testkit::browser::Page;
use djcalls_testkit::{DJ_REAL_NUMBER, TestApp};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fallback line the page author chose (never a DJ's real number).
pub const FALLBACK: &str = "+18005550199";

/// How long the front takes to answer the numbers request.
pub const API_LATENCY: Duration = Duration::from_millis(400);

/// A reverse proxy in front of the app that records every request path.
pub struct Front {
    pub url: String,
    pub hits: Arc<Mutex<Vec<String>>>,
    pub server: tokio::task::JoinHandle<()>,
}

impl Front {
    pub async fn start(app_base: &str) -> Front {
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
    pub fn reset(&self) {
        self.hits.lock().unwrap().clear();
    }

    pub fn count(&self, path: &str) -> usize {
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

pub async fn forward(
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

pub fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "host" | "connection" | "content-length" | "transfer-encoding" | "keep-alive"
    )
}

pub async fn serve(router: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, server)
}

/// A port nothing listens on.
pub fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two DJs with numbers (`a`, `b`) and one without (`c`).
pub struct Djs {
    pub a: (DjProfileId, PhoneNumber),
    pub b: (DjProfileId, PhoneNumber),
    pub c: DjProfileId,
}

pub async fn djs(t: &TestApp) -> Djs {
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
pub fn page_html(script_src: &str, script_attrs: &str, d: &Djs) -> String {
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

pub async fn serve_page(html: String) -> (String, tokio::task::JoinHandle<()>) {
    let router = Router::new().route(
        "/page",
        get(move || {
            let html = html.clone();
            async move { Html(html) }
        }),
    );
    serve(router).await
}

pub const SETTLED: &str = "window.__djdashPhone && window.__djdashPhone.batches >= 1";

/// Neither the E.164 real number nor any formatting of its digits is anywhere in the DOM.
pub async fn assert_no_real_number(page: &Page) {
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
