//! The phone widget's script: `GET /dni.js` (dynamic number insertion, SPEC §7).
//!
//! Caching: the script's version is a hash of its bytes. `/dni.js` is served with that hash as
//! a strong `ETag` and `Cache-Control: public, max-age=300` (pages that embed the bare URL pick
//! up a new script within minutes and revalidate with 304s); `/dni.js?v=<version>` — the URL
//! [`script_url`] gives — is `immutable` for a year.
//!
//! The cross-origin policy of the endpoints the script calls is `crate::origins`.

use crate::state::HttpState;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The script, hand-written and dependency-free.
pub const SCRIPT: &str = include_str!("../assets/dni.js");

/// The first 16 hex digits of the script's SHA-256.
pub fn script_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let digest = Sha256::digest(SCRIPT.as_bytes());
        hex::encode(digest)[..16].to_string()
    });
    &VERSION
}

/// The path (with its version) pages should embed: `/dni.js?v=<version>`.
pub fn script_url() -> String {
    format!("/dni.js?v={}", script_version())
}

pub fn router() -> Router<HttpState> {
    Router::new().route("/dni.js", get(script))
}

async fn script(uri: axum::http::Uri, headers: HeaderMap) -> Response {
    let version = script_version();
    let etag = format!("\"{version}\"");
    let pinned = uri.query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "v" && v == version)
    });
    let cache = if pinned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut response = if etag_matches(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        SCRIPT.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Embeddable from any page, including ones that require CORP (COEP).
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_small() {
        assert!(SCRIPT.len() < 12 * 1024, "dni.js is {} bytes", SCRIPT.len());
        assert_eq!(script_version().len(), 16);
    }
}
