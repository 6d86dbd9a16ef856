//! `/api/djdash/calls`: log, list, read and correct calls.

use super::{check_product_context, double_option, text};
use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody, parse_query};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::CallJson;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use djcalls_app::calls::{DEFAULT_PAGE, LogCall, MAX_PAGE};
use djcalls_app::records::CallPatch;
use djcalls_domain::call::EVENT_TYPE_MAX_CHARS;
use djcalls_domain::range::DateRange;
use djcalls_domain::{CallId, CallStatus, DjProfileId, LeadScore, PhoneNumber};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls, log_call))
        .routes(routes!(get_call, patch_call))
}

/// `{"success": true, "call": …}`.
#[derive(Serialize, ToSchema)]
pub struct CallEnvelope {
    pub success: bool,
    pub call: CallJson,
}

impl CallEnvelope {
    fn of(call: djcalls_app::records::CallRecord) -> Json<CallEnvelope> {
        Json(CallEnvelope {
            success: true,
            call: CallJson::from(call),
        })
    }
}

/// A page of calls, newest first.
#[derive(Serialize, ToSchema)]
pub struct CallPage {
    pub success: bool,
    pub calls: Vec<CallJson>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A call logged by DJ Dash or a DJ (not by Twilio's webhooks).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LogCallBody {
    #[schema(format = Uuid)]
    dj_profile_id: String,
    /// E.164 or a national number.
    #[schema(value_type = Option<String>)]
    virtual_number: Option<PhoneNumber>,
    #[schema(value_type = Option<String>)]
    caller_number: Option<PhoneNumber>,
    caller_name: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
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

/// Log a call.
#[utoipa::path(post, path = "/api/djdash/calls", tag = "calls", security(("bearer" = [])),
    request_body = LogCallBody,
    responses((status = 201, description = "Logged", body = CallEnvelope), StandardErrors))]
async fn log_call(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<LogCallBody>,
) -> ApiResult<(StatusCode, Json<CallEnvelope>)> {
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
    Ok((StatusCode::CREATED, CallEnvelope::of(call)))
}

/// Event types are short labels (`wedding`, `corporate`); the app stores them in the one
/// spelling `domain::call::normalize_event_type` gives them.
fn event_type(raw: Option<String>) -> ApiResult<Option<String>> {
    text("event_type", raw, EVENT_TYPE_MAX_CHARS)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// One DJ's calls (admins and the service; a DJ sees only their own anyway).
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
    /// Only `djdash`.
    product_context: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List calls, newest first, a page at a time.
#[utoipa::path(get, path = "/api/djdash/calls", tag = "calls", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "A page of calls", body = CallPage), StandardErrors))]
async fn list_calls(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<CallPage>> {
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
        .list_calls(&actor, profile, &range, None, cursor, limit)
        .await?;
    Ok(Json(CallPage {
        success: true,
        calls: page.calls.into_iter().map(CallJson::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One call.
#[utoipa::path(get, path = "/api/djdash/calls/{id}", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The call's id")),
    responses((status = 200, description = "The call", body = CallEnvelope), StandardErrors))]
async fn get_call(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallEnvelope>> {
    let id: CallId = parse_id("id", &id)?;
    let call = state.app.get_call(&actor, id).await?;
    Ok(CallEnvelope::of(call))
}

/// What a person may correct on a call; `null` clears a text field.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    is_booked: Option<bool>,
    lead_score: Option<LeadScore>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    event_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    notes: Option<Option<String>>,
}

/// Correct a call: booked, lead score, event type, notes.
#[utoipa::path(patch, path = "/api/djdash/calls/{id}", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The call's id")),
    request_body = PatchBody,
    responses((status = 200, description = "The corrected call", body = CallEnvelope), StandardErrors))]
async fn patch_call(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<Json<CallEnvelope>> {
    let id: CallId = parse_id("id", &id)?;
    let patch = CallPatch {
        is_booked: body.is_booked,
        lead_score: body.lead_score,
        event_type: body.event_type.map(event_type).transpose()?,
        notes: body.notes.map(|n| text("notes", n, 10_000)).transpose()?,
    };
    let call = state.app.patch_call(&actor, id, patch).await?;
    Ok(CallEnvelope::of(call))
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
