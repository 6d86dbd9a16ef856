//! `/api/djdash/calls`: log, list, read and correct calls.

use super::{check_product_context, double_option, text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody, parse_query};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::CallJson;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use djcalls_app::calls::{DEFAULT_PAGE, LogCall, MAX_PAGE};
use djcalls_app::records::CallPatch;
use djcalls_domain::call::EVENT_TYPE_MAX_CHARS;
use djcalls_domain::range::DateRange;
use djcalls_domain::{CallId, CallStatus, DjProfileId, LeadScore, PhoneNumber};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/api/djdash/calls", get(list_calls).post(log_call))
        .route("/api/djdash/calls/{id}", get(get_call).patch(patch_call))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogCallBody {
    dj_profile_id: String,
    virtual_number: Option<PhoneNumber>,
    caller_number: Option<PhoneNumber>,
    caller_name: Option<String>,
    timestamp: Option<Timestamp>,
    page_url: Option<String>,
    event_type: Option<String>,
    lead_score: Option<LeadScore>,
    is_booked: Option<bool>,
    call_duration_seconds: Option<u32>,
    call_status: Option<CallStatus>,
    call_sid: Option<String>,
    notes: Option<String>,
    product_context: Option<String>,
}

async fn log_call(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<LogCallBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    check_product_context(body.product_context.as_deref())?;
    let call_sid = text("call_sid", body.call_sid, 64)?;
    if let Some(sid) = &call_sid
        && !sid.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ApiError::field(
            "call_sid",
            "must be letters and digits, like CA1234…",
        ));
    }
    let page_url = text("page_url", body.page_url, 2048)?;
    if let Some(url) = &page_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(ApiError::field("page_url", "must be an http(s) URL"));
    }
    let input = LogCall {
        dj_profile_id: parse_id("dj_profile_id", &body.dj_profile_id)?,
        virtual_number: body.virtual_number,
        caller_number: body.caller_number,
        caller_name: text("caller_name", body.caller_name, 200)?,
        timestamp: body.timestamp,
        page_url,
        event_type: event_type(body.event_type)?,
        lead_score: body.lead_score,
        is_booked: body.is_booked,
        call_duration_seconds: body.call_duration_seconds,
        call_status: body.call_status,
        call_sid,
        notes: text("notes", body.notes, 10_000)?,
    };
    let call = state.app.log_call(&actor, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"success": true, "call": CallJson::from(call)})),
    ))
}

/// Event types are short labels (`wedding`, `corporate`); the app stores them in the one
/// spelling `domain::call::normalize_event_type` gives them.
fn event_type(raw: Option<String>) -> ApiResult<Option<String>> {
    text("event_type", raw, EVENT_TYPE_MAX_CHARS)
}

#[derive(Deserialize)]
struct ListQuery {
    dj_profile_id: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    tz: Option<String>,
    product_context: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

async fn list_calls(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let q: ListQuery = parse_query(query.as_deref())?;
    check_product_context(q.product_context.as_deref().filter(|s| !s.is_empty()))?;
    let profile = optional_profile(q.dj_profile_id.as_deref())?;
    let range = date_range(
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        q.tz.as_deref(),
    )?;
    let limit = match q.limit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(ApiError::field(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_PAGE}"),
                ));
            }
        },
    };
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let page = state
        .app
        .list_calls(&actor, profile, &range, cursor, limit)
        .await?;
    let calls: Vec<CallJson> = page.calls.into_iter().map(CallJson::from).collect();
    Ok(Json(
        json!({"success": true, "calls": calls, "next_cursor": page.next_cursor}),
    ))
}

async fn get_call(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id: CallId = parse_id("id", &id)?;
    let call = state.app.get_call(&actor, id).await?;
    Ok(Json(json!({"success": true, "call": CallJson::from(call)})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    is_booked: Option<bool>,
    lead_score: Option<LeadScore>,
    #[serde(default, deserialize_with = "double_option")]
    event_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    notes: Option<Option<String>>,
}

async fn patch_call(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<Json<Value>> {
    let id: CallId = parse_id("id", &id)?;
    let patch = CallPatch {
        is_booked: body.is_booked,
        lead_score: body.lead_score,
        event_type: body.event_type.map(event_type).transpose()?,
        notes: body.notes.map(|n| text("notes", n, 10_000)).transpose()?,
    };
    let call = state.app.patch_call(&actor, id, patch).await?;
    Ok(Json(json!({"success": true, "call": CallJson::from(call)})))
}

pub(crate) fn optional_profile(raw: Option<&str>) -> ApiResult<Option<DjProfileId>> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_id("dj_profile_id", s))
        .transpose()
}

pub(crate) fn date_range(
    start: Option<&str>,
    end: Option<&str>,
    tz: Option<&str>,
) -> ApiResult<DateRange> {
    DateRange::parse(start, end, tz).map_err(|e| ApiError::field(e.field, e.message))
}
