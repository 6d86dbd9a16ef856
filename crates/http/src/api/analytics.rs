//! `GET /api/djdash/calls/analytics` (one DJ, or the platform for admins) and
//! `GET /api/djdash/admin/analytics` (platform totals, top DJs, call volume).

use super::calls::{date_range, optional_profile};
use crate::api_doc::StandardErrors;
use crate::error::ApiResult;
use crate::extract::{Caller, parse_query};
use crate::state::HttpState;
use axum::Json;
use axum::extract::{RawQuery, State};
use djcalls_app::records::TopDj;
use djcalls_domain::analytics::{Analytics, DayFigures};
use djcalls_domain::range::DateRange;
use djcalls_domain::{Cents, DjProfileId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(dj_analytics))
        .routes(routes!(admin_analytics))
}

/// The parameters of the analytics and the reports (SPEC §6, §15).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AnalyticsQuery {
    /// One DJ (admins and the service); a DJ always gets their own figures.
    #[param(format = Uuid)]
    dj_profile_id: Option<String>,
    /// First local day, `YYYY-MM-DD`.
    #[param(format = Date)]
    start_date: Option<String>,
    /// Last local day, `YYYY-MM-DD` (inclusive).
    #[param(format = Date)]
    end_date: Option<String>,
    /// IANA zone for the days (default UTC).
    tz: Option<String>,
}

impl AnalyticsQuery {
    /// The query's profile (if named) and range, or a 400 naming the bad parameter.
    pub(super) fn parse(raw: Option<&str>) -> ApiResult<(Option<DjProfileId>, DateRange)> {
        let q: AnalyticsQuery = parse_query(raw)?;
        let profile = optional_profile(q.dj_profile_id.as_deref())?;
        let range = date_range(
            q.start_date.as_deref(),
            q.end_date.as_deref(),
            q.tz.as_deref(),
        )?;
        Ok((profile, range))
    }
}

/// `{"success": true, "analytics": …}`.
#[derive(Serialize, ToSchema)]
pub struct AnalyticsEnvelope {
    pub success: bool,
    pub analytics: Analytics,
}

/// The figures of SPEC §6 for one DJ, or for the platform (admins).
#[utoipa::path(get, path = "/api/djdash/calls/analytics", tag = "analytics",
    security(("bearer" = [])), params(AnalyticsQuery),
    responses((status = 200, description = "Figures", body = AnalyticsEnvelope), StandardErrors))]
async fn dj_analytics(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<AnalyticsEnvelope>> {
    let (profile, range) = AnalyticsQuery::parse(query.as_deref())?;
    let analytics = state.app.analytics(&actor, profile, &range).await?;
    Ok(Json(AnalyticsEnvelope {
        success: true,
        analytics,
    }))
}

/// The platform's figures, its top DJs and its calls per day.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlatformJson {
    #[serde(flatten)]
    totals: Analytics,
    top_djs: Vec<TopDjJson>,
    call_volume: Vec<DayFigures>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopDjJson {
    dj_profile_id: String,
    dj_name: String,
    dj_slug: String,
    calls: i64,
    booked_calls: i64,
    revenue: f64,
    revenue_cents: i64,
    platform_cut_cents: i64,
}

impl From<TopDj> for TopDjJson {
    fn from(t: TopDj) -> Self {
        TopDjJson {
            dj_profile_id: t.dj_profile_id.to_string(),
            dj_name: t.dj_name,
            dj_slug: t.dj_slug,
            calls: t.calls,
            booked_calls: t.booked,
            revenue: Cents(t.revenue_cents).as_dollars(),
            revenue_cents: t.revenue_cents,
            platform_cut_cents: t.platform_cut_cents,
        }
    }
}

/// `{"success": true, "analytics": …}` for the platform.
#[derive(Serialize, ToSchema)]
pub struct PlatformEnvelope {
    pub success: bool,
    pub analytics: PlatformJson,
}

/// Platform-wide figures (admins and the service).
#[utoipa::path(get, path = "/api/djdash/admin/analytics", tag = "analytics",
    security(("bearer" = [])), params(AnalyticsQuery),
    responses((status = 200, description = "Figures", body = PlatformEnvelope), StandardErrors))]
async fn admin_analytics(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<PlatformEnvelope>> {
    let q: AnalyticsQuery = parse_query(query.as_deref())?;
    let range = date_range(
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        q.tz.as_deref(),
    )?;
    let platform = state.app.platform_analytics(&actor, &range).await?;
    let body = PlatformJson {
        totals: platform.analytics,
        top_djs: platform.top_djs.into_iter().map(TopDjJson::from).collect(),
        call_volume: platform.call_volume,
    };
    Ok(Json(PlatformEnvelope {
        success: true,
        analytics: body,
    }))
}
