//! Cross-cutting request handling: request ids on every span, per-route metrics, and spans
//! that carry the path only (query strings could carry personal data), with the secret of a
//! payment link (`/pay/<token>`) replaced by its route template.

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Span;

/// The span of one request: method, path and the `x-request-id` set by `SetRequestIdLayer`.
pub fn span_for(request: &Request) -> Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request),
        request_id = %request_id,
    )
}

/// The path as logs may show it: a payment link's token is a bearer secret (whoever has it can
/// pay and see the DJ's name), and so is a sign-in link's (whoever has it is signed in), so
/// under `/pay/` and `/sign-in/` the route template stands in for the path
/// (`/pay/{token}/done`, `/sign-in/{token}`), or `/pay/…` / `/sign-in/…` when no route matched.
fn loggable_path(request: &Request) -> &str {
    let path = request.uri().path();
    let hidden = if path.starts_with("/pay/") {
        "/pay/…"
    } else if path.starts_with("/sign-in/") {
        "/sign-in/…"
    } else {
        return path;
    };
    request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str())
        .unwrap_or(hidden)
}

/// A method as a metrics label: the methods the service answers, else `other`, so odd methods
/// cannot grow the metrics without bound (route labels are already bounded: the matched route
/// template or `unmatched`).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts requests and records latency per matched route and status.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
