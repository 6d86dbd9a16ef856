//! SPEC §15: `GET /api/djdash/reports/sources`, `PUT /api/djdash/reports/spend` and
//! `GET /api/djdash/reports/funnel` (the analytics' parameters and access rules).

use super::analytics::AnalyticsQuery;
use super::calls::optional_profile;
use crate::api_doc::StandardErrors;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonBody};
use crate::state::HttpState;
use axum::Json;
use axum::extract::{RawQuery, State};
use djcalls_app::reports::{SpendEntry, SpendInput};
use djcalls_domain::reports::{Funnel, SourceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(sources))
        .routes(routes!(put_spend))
        .routes(routes!(funnel))
}

/// `{"success": true, "sources": [...]}`.
#[derive(Serialize, ToSchema)]
pub struct SourcesEnvelope {
    pub success: bool,
    pub sources: Vec<SourceRow>,
}

/// `{"success": true, "funnel": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct FunnelEnvelope {
    pub success: bool,
    pub funnel: Funnel,
}

/// Revenue by source (SPEC §15), with cost figures where spend was set.
#[utoipa::path(get, path = "/api/djdash/reports/sources", tag = "reports",
    security(("bearer" = [])), params(AnalyticsQuery),
    responses((status = 200, description = "One row per source", body = SourcesEnvelope), StandardErrors))]
async fn sources(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<SourcesEnvelope>> {
    let (profile, range) = AnalyticsQuery::parse(query.as_deref())?;
    let sources = state.app.source_report(&actor, profile, &range).await?;
    Ok(Json(SourcesEnvelope {
        success: true,
        sources,
    }))
}

/// The booking funnel (SPEC §15; definitions in the README).
#[utoipa::path(get, path = "/api/djdash/reports/funnel", tag = "reports",
    security(("bearer" = [])), params(AnalyticsQuery),
    responses((status = 200, description = "The funnel", body = FunnelEnvelope), StandardErrors))]
async fn funnel(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<FunnelEnvelope>> {
    let (profile, range) = AnalyticsQuery::parse(query.as_deref())?;
    let funnel = state.app.funnel_report(&actor, profile, &range).await?;
    Ok(Json(FunnelEnvelope {
        success: true,
        funnel,
    }))
}

/// One month's spend on one source: a DJ's (`dj_profile_id`) or the platform's (without it;
/// admins and the service only).
#[derive(Deserialize, ToSchema)]
pub struct SpendBody {
    #[schema(format = Uuid)]
    dj_profile_id: Option<String>,
    /// `YYYY-MM`.
    month: String,
    source: String,
    medium: Option<String>,
    campaign: Option<String>,
    /// Whole cents, 0 or more.
    #[serde(rename = "spendCents")]
    spend_cents: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpendJson {
    #[serde(rename = "dj_profile_id")]
    dj_profile_id: Option<String>,
    month: String,
    source: Option<String>,
    medium: Option<String>,
    campaign: Option<String>,
    spend_cents: i64,
}

/// `{"success": true, "spend": {...}}`: the spend as stored.
#[derive(Serialize, ToSchema)]
pub struct SpendEnvelope {
    pub success: bool,
    pub spend: SpendJson,
}

impl From<SpendEntry> for SpendJson {
    fn from(e: SpendEntry) -> Self {
        SpendJson {
            dj_profile_id: e.dj_profile_id.map(|p| p.to_string()),
            month: e.month,
            source: e.key.source,
            medium: e.key.medium,
            campaign: e.key.campaign,
            spend_cents: e.spend_cents,
        }
    }
}

/// Sets (replaces) a month's spend on a source; a range covering part of the month gets a
/// share prorated by days (README, "Reports").
#[utoipa::path(put, path = "/api/djdash/reports/spend", tag = "reports",
    security(("bearer" = [])), request_body = SpendBody,
    responses((status = 200, description = "Stored", body = SpendEnvelope), StandardErrors))]
async fn put_spend(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<SpendBody>,
) -> ApiResult<Json<SpendEnvelope>> {
    let input = SpendInput {
        dj_profile_id: optional_profile(body.dj_profile_id.as_deref())?,
        month: body.month,
        source: body.source,
        medium: body.medium,
        campaign: body.campaign,
        spend_cents: body.spend_cents,
    };
    let entry = state.app.put_spend(&actor, input).await?;
    Ok(Json(SpendEnvelope {
        success: true,
        spend: entry.into(),
    }))
}
