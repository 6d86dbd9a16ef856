//! Operations endpoints: liveness, readiness and Prometheus metrics (for operators only).

use crate::error::ApiError;
use crate::extract::bearer;
use crate::state::HttpState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use djcalls_app::AppError;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<HttpState>) -> (StatusCode, &'static str) {
    if state.app.is_ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// `/metrics` for `METRICS_TOKEN`, the service key or an admin's token (`App::may_read_metrics`);
/// anyone else gets 401.
async fn metrics(State(state): State<HttpState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if !state.app.may_read_metrics(bearer(&headers)).await? {
        return Err(AppError::Unauthenticated.into());
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        prometheus().render(),
    )
        .into_response())
}

/// The process-wide recorder: one per process, however many servers a test starts.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program's): keep the
        // handle anyway so /metrics still answers.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}
