//! Admin operations over JSON: `GET /api/djdash/admin/jobs?state=pending|dead`,
//! `POST /api/djdash/admin/jobs/{id}/retry`, `GET /api/djdash/admin/opt-outs`,
//! `GET /api/djdash/admin/foreign-currency-payments`, `GET /api/djdash/admin/pending-refunds`.

use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, parse_query};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::{ForeignCurrencyPaymentJson, JobJson, OptOutJson, PendingRefundJson};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use djcalls_app::admin::{JobListing, PENDING_REFUND_STALE_AFTER};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(jobs))
        .routes(routes!(retry))
        .routes(routes!(opt_outs))
        .routes(routes!(foreign_currency_payments))
        .routes(routes!(pending_refunds))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct JobsQuery {
    /// `pending` (queued and running, the default) or `dead`.
    state: Option<String>,
}

/// Jobs by state, with the queue's counts.
#[derive(Serialize, ToSchema)]
pub struct JobQueueJson {
    pub success: bool,
    pub counts: JobCountsJson,
    pub jobs: Vec<JobJson>,
}

#[derive(Serialize, ToSchema)]
pub struct JobCountsJson {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

/// The background job queue.
#[utoipa::path(get, path = "/api/djdash/admin/jobs", tag = "admin", security(("bearer" = [])),
    params(JobsQuery),
    responses((status = 200, description = "Jobs", body = JobQueueJson), StandardErrors))]
async fn jobs(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<JobQueueJson>> {
    let q: JobsQuery = parse_query(query.as_deref())?;
    let listing = match q.state.as_deref().unwrap_or("pending") {
        "pending" => JobListing::Pending,
        "dead" => JobListing::Dead,
        _ => return Err(ApiError::field("state", "must be pending or dead")),
    };
    let (counts, jobs) = state.app.job_queue(&actor, listing).await?;
    Ok(Json(JobQueueJson {
        success: true,
        counts: JobCountsJson {
            queued: counts.queued,
            running: counts.running,
            done: counts.done,
            dead: counts.dead,
        },
        jobs: jobs.into_iter().map(JobJson::from).collect(),
    }))
}

/// `{"success": true, "job": …}`.
#[derive(Serialize, ToSchema)]
pub struct JobEnvelope {
    pub success: bool,
    pub job: JobJson,
}

/// Run a dead job again.
#[utoipa::path(post, path = "/api/djdash/admin/jobs/{id}/retry", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The job's id")),
    responses((status = 200, description = "The job, queued again", body = JobEnvelope),
        StandardErrors))]
async fn retry(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<JobEnvelope>> {
    let id: uuid::Uuid = parse_id("id", &id)?;
    let job = state.app.retry_job(&actor, id).await?;
    Ok(Json(JobEnvelope {
        success: true,
        job: JobJson::from(job),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OptOutList {
    pub success: bool,
    pub opt_outs: Vec<OptOutJson>,
}

/// Numbers that asked for no more texts.
#[utoipa::path(get, path = "/api/djdash/admin/opt-outs", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Opt-outs", body = OptOutList), StandardErrors))]
async fn opt_outs(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<OptOutList>> {
    let opt_outs = state.app.opt_outs(&actor).await?;
    Ok(Json(OptOutList {
        success: true,
        opt_outs: opt_outs.into_iter().map(OptOutJson::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ForeignCurrencyPaymentList {
    pub success: bool,
    pub payments: Vec<ForeignCurrencyPaymentJson>,
}

/// Payments kept aside because their currency is not `PLATFORM_CURRENCY` (never revenue).
#[utoipa::path(get, path = "/api/djdash/admin/foreign-currency-payments", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "Payments kept aside",
        body = ForeignCurrencyPaymentList), StandardErrors))]
async fn foreign_currency_payments(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<ForeignCurrencyPaymentList>> {
    let payments = state.app.foreign_currency_payments(&actor).await?;
    Ok(Json(ForeignCurrencyPaymentList {
        success: true,
        payments: payments
            .into_iter()
            .map(ForeignCurrencyPaymentJson::from)
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PendingRefundList {
    pub success: bool,
    /// A refund waiting longer than this is flagged `stale`.
    pub stale_after_days: i64,
    pub refunds: Vec<PendingRefundJson>,
}

/// Refunds that arrived before their payment and still wait for it, oldest first; those
/// waiting longer than `stale_after_days` are flagged `stale` (kept, never dropped).
#[utoipa::path(get, path = "/api/djdash/admin/pending-refunds", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "Refunds waiting for their payment",
        body = PendingRefundList), StandardErrors))]
async fn pending_refunds(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<PendingRefundList>> {
    let refunds = state.app.pending_refunds(&actor).await?;
    Ok(Json(PendingRefundList {
        success: true,
        stale_after_days: PENDING_REFUND_STALE_AFTER.as_hours() / 24,
        refunds: refunds.into_iter().map(PendingRefundJson::from).collect(),
    }))
}
