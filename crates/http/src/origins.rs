//! The cross-origin policy of the public widget endpoints (`/api/djdash/dni`,
//! `/api/djdash/clicks`): `Settings::allowed_origins` (`DJCALLS_ALLOWED_ORIGINS`,
//! comma-separated, default `*`), parsed once when the router is built. A low module: the
//! widget and the JSON API both use it.

use axum::http::{HeaderValue, Method, header};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// The origins allowed to use the widget endpoints from a browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedOrigins {
    Any,
    /// Exact origins (`scheme://host[:port]`, no trailing slash).
    List(Vec<String>),
}

impl AllowedOrigins {
    /// `*` (or an empty value) → any origin; otherwise a comma-separated list of origins.
    pub fn parse(allowed: &str) -> AllowedOrigins {
        let list: Vec<String> = allowed
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|o| !o.is_empty())
            .collect();
        if list.is_empty() || list.iter().any(|o| o == "*") {
            AllowedOrigins::Any
        } else {
            AllowedOrigins::List(list)
        }
    }

    /// Whether a request with this `Origin` header may use the endpoints.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            AllowedOrigins::Any => true,
            AllowedOrigins::List(list) => {
                let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
                list.contains(&origin)
            }
        }
    }

    /// CORS for the widget endpoints: GET and POST, `Content-Type` only, no credentials (the
    /// script sends none), preflights cached for a day.
    pub fn cors(&self) -> CorsLayer {
        let base = CorsLayer::new()
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
            .max_age(Duration::from_secs(86_400));
        match self {
            AllowedOrigins::Any => base.allow_origin(Any),
            AllowedOrigins::List(list) => base.allow_origin(AllowOrigin::list(
                list.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
            )),
        }
    }
}

/// The CORS layer for `allowed` (the value of `DJCALLS_ALLOWED_ORIGINS`).
pub fn cors_layer(allowed: &str) -> CorsLayer {
    AllowedOrigins::parse(allowed).cors()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse() {
        assert_eq!(AllowedOrigins::parse(""), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::parse(" * "), AllowedOrigins::Any);
        let list = AllowedOrigins::parse("https://www.thebash.com/, https://DJ.example");
        assert!(list.allows("https://www.thebash.com"));
        assert!(list.allows("https://dj.example"));
        assert!(!list.allows("https://evil.example"));
        assert!(!list.allows("null"));
    }
}
