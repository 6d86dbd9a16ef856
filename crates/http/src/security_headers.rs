//! Browser-facing protections on every response (issue 10, SPEC §9):
//!
//! - HTML pages may not be framed (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`)
//!   and carry a Content-Security-Policy that the dashboards satisfy: scripts, styles, media
//!   and connections from this origin only, no inline script or style (the templates have
//!   none; `pay.rs` sends its own policy with its inline style's hash).
//! - Pages and JSON API responses are not stored by browsers or proxies (`Cache-Control:
//!   no-store`) unless the handler chose a policy itself (static assets, the public DNI
//!   answer, `dni.js`, recordings).
//! - `Strict-Transport-Security` when `PUBLIC_BASE_URL` is https.
//!
//! The widget script `dni.js` is a script, not a page: it stays loadable from any site.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of the dashboards and every other page without one of its own.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; media-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the headers above; `hsts` when the service is reached over https.
pub async fn add(hsts: bool, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            );
        }
    }
    if (is_html || is_api) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}
