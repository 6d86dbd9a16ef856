//! Admin operations over JSON: `GET /api/djdash/admin/jobs?state=pending|dead`,
//! `POST /api/djdash/admin/jobs/{id}/retry`, `GET /api/djdash/admin/opt-outs`,
//! `GET /api/djdash/admin/foreign-currency-payments`, `GET /api/djdash/admin/pending-refunds`.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, parse_query};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::{ForeignCurrencyPaymentJson, JobJson, OptOutJson, PendingRefundJson};
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use djcalls_app::admin::{JobListing, PENDING_REFUND_STALE_AFTER};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/api/djdash/admin/jobs", get(jobs))
        .route("/api/djdash/admin/jobs/{id}/retry", post(retry))
        .route("/api/djdash/admin/opt-outs", get(opt_outs))
        .route(
            "/api/djdash/admin/foreign-currency-payments",
            get(foreign_currency_payments),
        )
        .route("/api/djdash/admin/pending-refunds", get(pending_refunds))
}

#[derive(Deserialize)]
struct JobsQuery {
    state: Option<String>,
}

async fn jobs(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let q: JobsQuery = parse_query(query.as_deref())?;
    let listing = match q.state.as_deref().unwrap_or("pending") {
        "pending" => JobListing::Pending,
        "dead" => JobListing::Dead,
        _ => return Err(ApiError::field("state", "must be pending or dead")),
    };
    let (counts, jobs) = state.app.job_queue(&actor, listing).await?;
    let jobs: Vec<JobJson> = jobs.into_iter().map(JobJson::from).collect();
    Ok(Json(json!({
        "success": true,
        "counts": {"queued": counts.queued, "running": counts.running, "done": counts.done, "dead": counts.dead},
        "jobs": jobs,
    })))
}

async fn retry(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id: uuid::Uuid = parse_id("id", &id)?;
    let job = state.app.retry_job(&actor, id).await?;
    Ok(Json(json!({"success": true, "job": JobJson::from(job)})))
}

async fn opt_outs(State(state): State<HttpState>, Caller(actor): Caller) -> ApiResult<Json<Value>> {
    let list: Vec<OptOutJson> = state
        .app
        .opt_outs(&actor)
        .await?
        .into_iter()
        .map(OptOutJson::from)
        .collect();
    Ok(Json(json!({"success": true, "opt_outs": list})))
}

/// Payments kept aside because their currency is not `PLATFORM_CURRENCY` (never revenue).
async fn foreign_currency_payments(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Value>> {
    let list: Vec<ForeignCurrencyPaymentJson> = state
        .app
        .foreign_currency_payments(&actor)
        .await?
        .into_iter()
        .map(ForeignCurrencyPaymentJson::from)
        .collect();
    Ok(Json(json!({"success": true, "payments": list})))
}

/// Refunds that arrived before their payment and still wait for it, oldest first; those
/// waiting longer than `stale_after_days` are flagged `stale` (kept, never dropped).
async fn pending_refunds(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Value>> {
    let list: Vec<PendingRefundJson> = state
        .app
        .pending_refunds(&actor)
        .await?
        .into_iter()
        .map(PendingRefundJson::from)
        .collect();
    Ok(Json(json!({
        "success": true,
        "stale_after_days": PENDING_REFUND_STALE_AFTER.as_hours() / 24,
        "refunds": list,
    })))
}
