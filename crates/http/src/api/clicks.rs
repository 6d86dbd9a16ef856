//! `POST /api/djdash/clicks` (public): click-to-call events from the widget (SPEC §7).
//!
//! Decisions:
//! - The body is JSON sent as `application/json` or `text/plain` (what `navigator.sendBeacon`
//!   sends for a string: a CORS "simple" request, so a click never waits for a preflight).
//! - Unknown fields are ignored (a cached older or newer script must not lose clicks); known
//!   ones are validated: `dj_profile_id` a UUID, URLs `http(s)` and at most 2048 characters,
//!   other texts bounded, no control characters. At most [`CLICK_BODY_LIMIT`] bytes.
//! - A click must carry the `click_token` the DNI answer gave the widget for that DJ
//!   (HMAC-signed, valid 24 h; `app::click_tokens`); without a valid one it is refused with
//!   400 `invalid_click_token`, so nobody can post clicks for a DJ (and make the next call's
//!   attribution `high`) without first asking for that DJ's number like the widget does.
//! - A well-formed click for a profile that does not exist is answered like any other (202)
//!   and not stored: the answer tells nobody which profiles exist.
//! - Origins: besides CORS (which cannot stop a simple request), a request whose `Origin` is
//!   not in `DJCALLS_ALLOWED_ORIGINS` is refused with 403. Requests without `Origin` (not
//!   from a browser) are accepted.
//! - Rate limit: per client (`App::take_click`: counted in the database, so every process
//!   counts together), then one global bucket ([`GlobalClickBucket`], per process on purpose:
//!   it guards this process's own capacity). The client is `extract::client_address` (the
//!   peer, or the hop a proxy in front of us added). A database error while counting lets
//!   the click through: the limit is a brake, not a gate.

pub use super::click_limiter::{GlobalClickBucket, Quota};
use super::text;
use crate::error::{ApiError, ApiResult};
use crate::extract::parse_json;
use crate::origins::AllowedOrigins;
use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use djcalls_app::clicks::NewClick;
use djcalls_app::limits::Admission;
use djcalls_domain::DjProfileId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

/// Largest accepted click body.
pub const CLICK_BODY_LIMIT: usize = 8 * 1024;
/// Longest accepted URL (`page_url`, `referrer`).
pub const MAX_URL_CHARS: usize = 2048;
/// Longest accepted `utm_*` / `gclid` value.
pub const MAX_TAG_CHARS: usize = 256;
/// Longest accepted `visitor_id`.
pub const MAX_VISITOR_CHARS: usize = 64;

pub fn router(origins: AllowedOrigins) -> OpenApiRouter<HttpState> {
    let guard = ClickGuard {
        origins: origins.clone(),
        global: Arc::new(GlobalClickBucket::new(Quota::GLOBAL)),
    };
    OpenApiRouter::new().routes(routes!(record_click).map(|method_router| {
        method_router
            // Routed explicitly so the CORS layer below answers preflights (the API router's
            // method-not-allowed fallback is not behind this route's layers).
            .options(|| async { StatusCode::NO_CONTENT })
            .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(CLICK_BODY_LIMIT))
            .layer::<_, std::convert::Infallible>(Extension(guard))
            .layer(origins.cors())
    }))
}

/// What a click request is checked against before it is read.
#[derive(Clone)]
pub struct ClickGuard {
    pub origins: AllowedOrigins,
    pub global: Arc<GlobalClickBucket>,
}

/// A click on a DJ's number in the widget. Unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
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
    /// From the DNI answer (`App::click_token`): a click without a valid one is refused.
    click_token: Option<String>,
}

/// Record a widget click (public; JSON sent as `application/json` or `text/plain`).
#[utoipa::path(post, path = "/api/djdash/clicks", tag = "clicks",
    request_body(content((ClickBody = "application/json"), (ClickBody = "text/plain"))),
    responses((status = 202, description = "Recorded (or ignored for an unknown DJ)",
            body = Accepted),
        (status = 400, description = "Bad click or click token", body = crate::error::Envelope<'static>),
        (status = 403, description = "Origin not allowed", body = crate::error::Envelope<'static>),
        (status = 413, description = "Too large", body = crate::error::Envelope<'static>),
        (status = 415, description = "Not JSON", body = crate::error::Envelope<'static>),
        (status = 429, description = "Too many clicks", body = crate::error::Envelope<'static>)))]
async fn record_click(
    State(state): State<HttpState>,
    Extension(guard): Extension<ClickGuard>,
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
    // The client first: one busy client must not use up everyone's global tokens.
    match state.app.take_click(&client).await {
        Ok(Admission::Allowed) => {}
        Ok(Admission::Refused { retry_after }) => return Err(rate_limited(retry_after)),
        Err(e) => tracing::warn!(error = %e, "counting a click against its client failed"),
    }
    guard.global.take().map_err(rate_limited)?;
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
    let token = body.click_token.clone();
    let (dj, click) = validate(body)?;
    state.app.record_click(dj, token.as_deref(), click).await?;
    let mut response = (StatusCode::ACCEPTED, Json(Accepted { success: true })).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `{"success": true}`.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub success: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_forwarded_hop_behind_a_private_proxy_is_the_client() {
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
