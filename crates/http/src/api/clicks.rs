//! `POST /api/djdash/clicks` (public): click-to-call events from the widget (SPEC §7).
//!
//! Decisions:
//! - The body is JSON sent as `application/json` or `text/plain` (what `navigator.sendBeacon`
//!   sends for a string: a CORS "simple" request, so a click never waits for a preflight).
//! - Unknown fields are ignored (a cached older or newer script must not lose clicks); known
//!   ones are validated: `dj_profile_id` a UUID, URLs `http(s)` and at most 2048 characters,
//!   other texts bounded, no control characters. At most [`CLICK_BODY_LIMIT`] bytes.
//! - A well-formed click for a profile that does not exist is answered like any other (202)
//!   and not stored: the answer tells nobody which profiles exist.
//! - Origins: besides CORS (which cannot stop a simple request), a request whose `Origin` is
//!   not in `DJCALLS_ALLOWED_ORIGINS` is refused with 403. Requests without `Origin` (not
//!   from a browser) are accepted.
//! - Rate limit: a token bucket per client ([`ClickLimiter`]) plus one global bucket; the
//!   client is `extract::client_address` (the peer, or the hop a proxy in front of us added).

use super::text;
use crate::error::{ApiError, ApiResult};
use crate::extract::parse_json;
use crate::origins::AllowedOrigins;
use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use djcalls_app::clicks::NewClick;
use djcalls_domain::DjProfileId;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest accepted click body.
pub const CLICK_BODY_LIMIT: usize = 8 * 1024;
/// Longest accepted URL (`page_url`, `referrer`).
pub const MAX_URL_CHARS: usize = 2048;
/// Longest accepted `utm_*` / `gclid` value.
pub const MAX_TAG_CHARS: usize = 256;
/// Longest accepted `visitor_id`.
pub const MAX_VISITOR_CHARS: usize = 64;

pub fn router(origins: AllowedOrigins) -> Router<HttpState> {
    let guard = ClickGuard {
        origins: origins.clone(),
        limiter: Arc::new(ClickLimiter::new(Quota::PER_CLIENT, Quota::GLOBAL)),
    };
    Router::new().route(
        "/api/djdash/clicks",
        post(move |state: State<HttpState>, request: Request| {
            record_click(state, guard.clone(), request)
        })
        // Routed explicitly so the CORS layer below answers preflights (the API router's
        // method-not-allowed fallback is not behind this route's layers).
        .options(|| async { StatusCode::NO_CONTENT })
        .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(CLICK_BODY_LIMIT))
        .layer(origins.cors()),
    )
}

/// What a click request is checked against before it is read.
#[derive(Clone)]
pub struct ClickGuard {
    pub origins: AllowedOrigins,
    pub limiter: Arc<ClickLimiter>,
}

#[derive(Deserialize)]
struct ClickBody {
    dj_profile_id: Option<String>,
    page_url: Option<String>,
    referrer: Option<String>,
    visitor_id: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    utm_term: Option<String>,
    utm_content: Option<String>,
    gclid: Option<String>,
}

async fn record_click(
    State(state): State<HttpState>,
    guard: ClickGuard,
    request: Request,
) -> ApiResult<Response> {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN)
        && !guard.origins.allows(origin.to_str().unwrap_or(""))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "Pages on this site may not record clicks.",
        ));
    }
    let client = crate::extract::client_address(
        headers,
        request.extensions().get::<ConnectInfo<SocketAddr>>(),
    );
    if let Err(wait) = guard.limiter.check(&client) {
        return Err(rate_limited(wait));
    }
    let is_json_or_text = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime == "text/plain"
        });
    if !is_json_or_text {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the click as JSON (Content-Type: application/json or text/plain).",
        ));
    }
    let bytes = Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "A click body may be at most {} KiB.",
                        CLICK_BODY_LIMIT / 1024
                    ),
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "The request body could not be read.",
                )
            }
        })?;
    let body: ClickBody = parse_json(&bytes)?;
    let (dj, click) = validate(body)?;
    state.app.record_click(dj, click).await?;
    let mut response = (StatusCode::ACCEPTED, Json(json!({"success": true}))).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn validate(body: ClickBody) -> ApiResult<(DjProfileId, NewClick)> {
    let raw = body
        .dj_profile_id
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::field("dj_profile_id", "is required"))?;
    let dj: DjProfileId = crate::request::parse_id("dj_profile_id", &raw)?;
    let visitor_id = text("visitor_id", body.visitor_id, MAX_VISITOR_CHARS)?;
    if let Some(v) = &visitor_id
        && !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::field(
            "visitor_id",
            "may only contain letters, digits, '-' and '_'",
        ));
    }
    Ok((
        dj,
        NewClick {
            page_url: url("page_url", body.page_url)?,
            referrer: url("referrer", body.referrer)?,
            visitor_id,
            utm_source: text("utm_source", body.utm_source, MAX_TAG_CHARS)?,
            utm_medium: text("utm_medium", body.utm_medium, MAX_TAG_CHARS)?,
            utm_campaign: text("utm_campaign", body.utm_campaign, MAX_TAG_CHARS)?,
            utm_term: text("utm_term", body.utm_term, MAX_TAG_CHARS)?,
            utm_content: text("utm_content", body.utm_content, MAX_TAG_CHARS)?,
            gclid: text("gclid", body.gclid, MAX_TAG_CHARS)?,
        },
    ))
}

/// An absolute http(s) URL of at most [`MAX_URL_CHARS`]; "" is absent.
fn url(field: &'static str, value: Option<String>) -> ApiResult<Option<String>> {
    let value = text(field, value, MAX_URL_CHARS)?;
    if let Some(v) = &value {
        let lower = v.to_ascii_lowercase();
        let has_host = ["http://", "https://"].iter().any(|scheme| {
            lower
                .strip_prefix(scheme)
                .is_some_and(|rest| !rest.is_empty())
        });
        if !has_host || v.chars().any(char::is_whitespace) {
            return Err(ApiError::field(field, "must be an http(s) URL"));
        }
    }
    Ok(value)
}

fn rate_limited(wait: Duration) -> ApiError {
    let secs = wait.as_secs().max(1);
    let mut error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("Too many clicks from this client; try again in {secs} s."),
    );
    error.field = None;
    error
}

/// A token bucket's size and refill rate.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    pub burst: u32,
    pub per_second: f64,
}

impl Quota {
    /// A person clicking phone numbers: 20 at once, then one every 3 s.
    pub const PER_CLIENT: Quota = Quota {
        burst: 20,
        per_second: 1.0 / 3.0,
    };
    /// Everyone together.
    pub const GLOBAL: Quota = Quota {
        burst: 2_000,
        per_second: 200.0,
    };
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(quota: Quota, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(quota.burst),
            at: now,
        }
    }

    /// Takes a token, or says how long until one is there.
    fn take(&mut self, quota: Quota, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * quota.per_second).min(f64::from(quota.burst));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let missing = (1.0 - self.tokens) / quota.per_second.max(f64::MIN_POSITIVE);
            Err(Duration::from_secs_f64(missing.min(3600.0)))
        }
    }
}

/// An in-memory token-bucket limiter: per client key, and global. Per process (several
/// replicas each allow the quota); keys are dropped once their bucket has refilled.
#[derive(Debug)]
pub struct ClickLimiter {
    per_client: Quota,
    global: Quota,
    state: Mutex<LimiterState>,
}

#[derive(Debug)]
struct LimiterState {
    global: Bucket,
    clients: HashMap<String, Bucket>,
}

/// Above this many tracked clients, refilled buckets are forgotten.
const MAX_TRACKED_CLIENTS: usize = 10_000;

impl ClickLimiter {
    pub fn new(per_client: Quota, global: Quota) -> ClickLimiter {
        let now = Instant::now();
        ClickLimiter {
            per_client,
            global,
            state: Mutex::new(LimiterState {
                global: Bucket::full(global, now),
                clients: HashMap::new(),
            }),
        }
    }

    /// Takes a token for `client` (and one globally), or says how long to wait.
    pub fn check(&self, client: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.clients.len() >= MAX_TRACKED_CLIENTS {
            let refill = Duration::from_secs_f64(
                f64::from(self.per_client.burst) / self.per_client.per_second.max(1e-9),
            );
            state
                .clients
                .retain(|_, b| now.saturating_duration_since(b.at) < refill);
        }
        let per_client = self.per_client;
        let bucket = state
            .clients
            .entry(client.to_string())
            .or_insert_with(|| Bucket::full(per_client, now));
        bucket.take(per_client, now)?;
        let global = self.global;
        state.global.take(global, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_refills() {
        let quota = Quota {
            burst: 2,
            per_second: 1.0,
        };
        let start = Instant::now();
        let mut b = Bucket::full(quota, start);
        assert!(b.take(quota, start).is_ok());
        assert!(b.take(quota, start).is_ok());
        let wait = b.take(quota, start).unwrap_err();
        assert!(wait <= Duration::from_secs(1));
        assert!(b.take(quota, start + Duration::from_millis(1100)).is_ok());
    }

    #[test]
    fn clients_are_separate_and_the_last_forwarded_hop_counts() {
        let limiter = ClickLimiter::new(
            Quota {
                burst: 1,
                per_second: 0.001,
            },
            Quota::GLOBAL,
        );
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_err());
        assert!(limiter.check("b").is_ok());
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 203.0.113.7"),
        );
        assert_eq!(
            crate::extract::client_address(&headers, None),
            "203.0.113.7"
        );
        assert_eq!(
            crate::extract::client_address(&axum::http::HeaderMap::new(), None),
            "unknown"
        );
        // A public peer is the client, whatever it claims; a proxy on a private address is not.
        let public = ConnectInfo("198.51.100.9:5000".parse::<SocketAddr>().unwrap());
        assert_eq!(
            crate::extract::client_address(&headers, Some(&public)),
            "198.51.100.9"
        );
        let proxy = ConnectInfo("10.0.0.2:5000".parse::<SocketAddr>().unwrap());
        assert_eq!(
            crate::extract::client_address(&headers, Some(&proxy)),
            "203.0.113.7"
        );
    }

    #[test]
    fn urls_are_checked() {
        assert!(url("page_url", Some("https://www.thebash.com/dj".into())).is_ok());
        assert!(url("page_url", Some("javascript:alert(1)".into())).is_err());
        assert!(url("page_url", Some("https://".into())).is_err());
        assert_eq!(url("referrer", Some("  ".into())).ok(), Some(None));
        let long = format!("https://x.example/{}", "a".repeat(MAX_URL_CHARS));
        assert!(url("page_url", Some(long)).is_err());
    }
}
