//! The HTTP edge of djcalls: the JSON API, provider webhooks, payment links, the widget script,
//! the dashboards and operations endpoints, behind one middleware stack and one error type.
//!
//! Layers inside the crate, lowest first: `state` (the shared `HttpState`), `error`,
//! `request`, `cookies` and `extract` (reading requests), `next_path` (where a redirect may
//! go), `origins`, `views`, `csv_stream` (streamed CSV downloads), `security_headers`; then the
//! route modules (`api`, `web`, `webhooks`, `pay`, `widget`, `recordings`, `ops`), which import
//! only from the layers below them, never from each other or from the crate root.

pub mod api;
pub mod api_doc;
mod cookies;
pub mod csv_stream;
pub mod error;
pub mod extract;
pub mod middleware;
mod next_path;
pub mod ops;
pub mod origins;
pub mod pay;
pub mod recordings;
mod request;
pub mod security_headers;
mod server;
pub mod state;
pub mod views;
pub mod web;
pub mod webhooks;
pub mod widget;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use djcalls_app::App;
pub use server::{ConnectionLimits, serve};
use state::HttpState;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Request bodies above this are refused with 413 (SPEC §3).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The whole service as one router.
pub fn router(app: App) -> Router {
    // The metrics recorder must exist before the first request is counted, not appear on the
    // first scrape of /metrics (which would lose everything before it).
    ops::prometheus();
    let request_id = HeaderName::from_static("x-request-id");
    let headers = security_headers::Policy::new(
        app.public_base_url().starts_with("https://"),
        app.frame_ancestors(),
    );
    let (api, document) = documented_routes(&origins::AllowedOrigins::parse(app.allowed_origins()));
    Router::new()
        .merge(ops::router())
        .merge(pay::router())
        .merge(widget::router())
        .merge(web::router())
        .merge(api_doc::routes(document))
        .merge(api::with_fallbacks(api))
        .with_state(HttpState::new(app))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(move |request, next| {
            security_headers::add(headers.clone(), request, next)
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::span_for)
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::WARN)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            HeaderName::from_static("x-twilio-signature"),
            HeaderName::from_static("stripe-signature"),
            HeaderName::from_static("x-tipjar-signature"),
        ]))
}

/// Every route under `/api/` (the JSON API, the provider webhooks, recordings) with the OpenAPI
/// document their registrations produced.
pub fn documented_routes(
    origins: &origins::AllowedOrigins,
) -> (Router<HttpState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi;
    utoipa_axum::router::OpenApiRouter::with_openapi(api_doc::ApiDoc::openapi())
        .merge(api::routes(origins))
        .merge(webhooks::router())
        .merge(recordings::router())
        .split_for_parts()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    error::ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "Something went wrong on our side; please try again.",
    )
    .into_response()
}
