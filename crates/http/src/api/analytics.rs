//! `GET /api/djdash/calls/analytics` (one DJ, or the platform for admins) and
//! `GET /api/djdash/admin/analytics` (platform totals, top DJs, call volume).

use super::calls::{date_range, optional_profile};
use crate::error::ApiResult;
use crate::extract::{Caller, parse_query};
use crate::state::HttpState;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use djcalls_app::records::TopDj;
use djcalls_domain::Cents;
use djcalls_domain::analytics::{Analytics, DayFigures};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/api/djdash/calls/analytics", get(dj_analytics))
        .route("/api/djdash/admin/analytics", get(admin_analytics))
}

#[derive(Deserialize)]
struct AnalyticsQuery {
    dj_profile_id: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    tz: Option<String>,
}

async fn dj_analytics(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let q: AnalyticsQuery = parse_query(query.as_deref())?;
    let profile = optional_profile(q.dj_profile_id.as_deref())?;
    let range = date_range(
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        q.tz.as_deref(),
    )?;
    let analytics = state.app.analytics(&actor, profile, &range).await?;
    Ok(Json(json!({"success": true, "analytics": analytics})))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlatformJson {
    #[serde(flatten)]
    totals: Analytics,
    top_djs: Vec<TopDjJson>,
    call_volume: Vec<DayFigures>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TopDjJson {
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

async fn admin_analytics(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!({"success": true, "analytics": body})))
}
