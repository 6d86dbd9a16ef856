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
//! - With `DJCALLS_FRAME_ANCESTORS` (origins), the dashboards' pages (`/`, `/login`,
//!   `/sign-in/…`, `/dashboard…`, `/admin…`) may be framed by those origins: their CSP says
//!   `frame-ancestors <origins>` and `X-Frame-Options` is left out (it cannot name a list, and
//!   browsers that know CSP ignore it anyway). Every other page still refuses framing.
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

/// What the layer adds beyond the fixed headers, decided once when the router is built.
#[derive(Clone, Debug)]
pub struct Policy {
    /// `Strict-Transport-Security`, when the service is reached over https.
    pub hsts: bool,
    /// The dashboards' CSP when they may be framed (`None`: they may not).
    framed_csp: Option<HeaderValue>,
}

impl Policy {
    /// `frame_ancestors`: checked origins (`scheme://host[:port]`); empty refuses framing.
    pub fn new(hsts: bool, frame_ancestors: &[String]) -> Policy {
        Policy {
            hsts,
            framed_csp: framed_csp(frame_ancestors),
        }
    }
}

/// [`PAGE_CSP`] with `frame-ancestors` listing `origins`; `None` when there are none, or one
/// could not be a header value (then framing stays refused).
pub fn framed_csp(origins: &[String]) -> Option<HeaderValue> {
    if origins.is_empty()
        || origins
            .iter()
            .any(|o| o.is_empty() || o.contains([';', ',', ' ', '\'', '"']))
    {
        return None;
    }
    let policy = PAGE_CSP.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors {}", origins.join(" ")),
    );
    HeaderValue::from_str(&policy).ok()
}

/// The dashboards' own pages: what `DJCALLS_FRAME_ANCESTORS` lets DJ Dash embed.
fn is_dashboard_page(path: &str) -> bool {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    path == "/"
        || path == "/login"
        || path.starts_with("/sign-in/")
        || under("/dashboard")
        || under("/admin")
}

/// Adds the headers above.
pub async fn add(policy: Policy, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path.starts_with("/api/");
    let framed_csp = policy
        .framed_csp
        .as_ref()
        .filter(|_| is_dashboard_page(path))
        .cloned();
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
    if is_html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        match framed_csp {
            Some(csp) => {
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            None => {
                headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
                headers.insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(PAGE_CSP),
                );
            }
        }
    } else if is_html {
        // A page with a policy of its own (`/pay/…`) is never framed.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if (is_html || is_api) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if policy.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_lists_the_configured_origins_or_nobody() {
        let csp = framed_csp(&["https://www.djdash.com".into(), "https://djdash.com".into()])
            .expect("a policy");
        let csp = csp.to_str().expect("ascii");
        assert!(csp.ends_with("frame-ancestors https://www.djdash.com https://djdash.com"));
        assert!(csp.starts_with("default-src 'self';"));
        assert_eq!(framed_csp(&[]), None);
        assert_eq!(
            framed_csp(&["https://x.example; script-src *".into()]),
            None
        );
    }

    #[test]
    fn only_the_dashboards_pages_may_be_framed() {
        for yes in [
            "/",
            "/login",
            "/sign-in/abc",
            "/dashboard",
            "/dashboard/calls/1",
            "/admin",
        ] {
            assert!(is_dashboard_page(yes), "{yes}");
        }
        for no in [
            "/pay/abc",
            "/api/docs",
            "/dashboardx",
            "/administrator",
            "/metrics",
        ] {
            assert!(!is_dashboard_page(no), "{no}");
        }
    }
}
