//! The phone widget's script: `GET /dni.js` (dynamic number insertion, SPEC §7).
//!
//! Caching: the script's version is a hash of its bytes. `/dni.js` is served with that hash as
//! a strong `ETag` and `Cache-Control: public, max-age=300` (pages that embed the bare URL pick
//! up a new script within minutes and revalidate with 304s); `/dni.js?v=<version>` — the URL
//! [`script_url`] gives — is `immutable` for a year.
//!
//! The script is written readable in `assets/dni.js` and served minified from
//! `assets/dni.min.js` (`scripts/build-widget`, terser), gzip-compressed once at first use for
//! clients that accept it (the public page's budget is 3 KB gzipped).
//!
//! The cross-origin policy of the endpoints the script calls is `crate::origins`.

use crate::state::HttpState;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The script as served: `assets/dni.js`, hand-written and dependency-free, minified.
pub const SCRIPT: &str = include_str!("../assets/dni.min.js");

/// The script gzip-compressed (best compression; computed once).
fn script_gzip() -> &'static [u8] {
    static GZIP: LazyLock<Vec<u8>> = LazyLock::new(|| {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(SCRIPT.as_bytes())
            .and_then(|()| encoder.finish())
            .expect("gzip into memory cannot fail")
    });
    &GZIP
}

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
    let gzip = accepts_gzip(&headers);
    let mut response = if etag_matches(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if gzip {
        (
            [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
            script_gzip(),
        )
            .into_response()
    } else {
        SCRIPT.into_response()
    };
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
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

/// Whether `Accept-Encoding` lists gzip with a non-zero quality.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
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

    /// The readable source, to check the served script was built from it.
    const SOURCE: &str = include_str!("../assets/dni.js");

    #[test]
    fn the_served_script_is_minified_from_the_current_source() {
        let first_line = SCRIPT.lines().next().unwrap();
        let source_hash = hex::encode(Sha256::digest(SOURCE.as_bytes()));
        assert!(
            first_line.contains(&format!("(sha256 {source_hash})")),
            "assets/dni.min.js was not built from the current assets/dni.js: run scripts/build-widget ({first_line})"
        );
        assert_eq!(script_version().len(), 16);
    }

    #[test]
    fn the_script_is_at_most_3_kb_gzipped() {
        let gzipped = script_gzip();
        assert!(
            gzipped.len() <= 3 * 1024,
            "dni.js is {} bytes gzipped",
            gzipped.len()
        );
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gzipped), &mut unzipped)
            .unwrap();
        assert_eq!(unzipped, SCRIPT);
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_accept_it() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
