//! `GET /api/djdash/calls/export.csv` (SPEC §14): every call `GET /api/djdash/calls` would
//! page through for the same caller and filters, as one streamed CSV download.
//!
//! Parameters: `dj_profile_id`, `start_date`, `end_date`, `tz`, `product_context` exactly as
//! the list (the same 400s), plus `call_status` (one status; the dashboards' filter). No
//! cursor, no limit: those list parameters are ignored like any unknown one. Authorised by a
//! bearer token or the dashboards' session cookie (`ApiOrPageCaller`), so the dashboards can
//! link to it.
//!
//! Columns ([`CALL_COLUMNS`]; named after the call's JSON fields, newest call first):
//! `id`, `dj_profile_id`, `timestamp` (RFC 3339, UTC), `virtual_number`, `caller_number`
//! (E.164, neutralised to `'+1…`: see `csv_stream`), `caller_name`, `call_status`,
//! `answered`, `call_duration_seconds`, `talk_seconds`, `voicemail_left`, `source`,
//! `page_url`, `event_type`, `lead_score`, `is_booked`, `tipjar_link_sent`,
//! `tipjar_payment_received`, `tipjar_payment_amount` (dollars with cents, `150.00`; empty
//! until paid), `tipjar_payment_amount_cents`, `call_sid`, `has_recording`,
//! `recording_duration_seconds`, `transcription_status`, `transcription_text`, `notes`, the
//! click the call is attributed to (`attribution_confidence`, `utm_source`, `utm_medium`,
//! `utm_campaign`, `gclid`, `clicked_at`), `product_context`, `created_at`, `updated_at`.
//! Booleans are `true`/`false`, absent values empty cells.

use super::calls::{date_range, optional_profile};
use super::check_product_context;
use crate::api_doc::StandardErrors;
use crate::csv_stream::{self, Column};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiOrPageCaller, parse_query};
use crate::state::HttpState;
use crate::views::CallJson;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use djcalls_domain::CallStatus;
use jiff::tz::TimeZone;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(export_calls))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
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
    /// Only calls in this status (`completed`, `busy`, …).
    call_status: Option<String>,
}

/// Every call the list would page through for the same filters, as one streamed CSV
/// download (RFC 4180, a header row, formulas neutralised; the columns in the README).
#[utoipa::path(get, path = "/api/djdash/calls/export.csv", tag = "calls",
    security(("bearer" = []), ("session" = [])),
    params(ExportQuery),
    responses((status = 200, description = "The calls as CSV, newest first", content_type = "text/csv", body = String),
        StandardErrors))]
async fn export_calls(
    State(state): State<HttpState>,
    ApiOrPageCaller(actor): ApiOrPageCaller,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let q: ExportQuery = parse_query(query.as_deref())?;
    check_product_context(q.product_context.as_deref().filter(|s| !s.is_empty()))?;
    let profile = optional_profile(q.dj_profile_id.as_deref())?;
    let range = date_range(
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        q.tz.as_deref(),
    )?;
    let status = match q.call_status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(CallStatus::parse(raw).ok_or_else(|| {
            ApiError::field("call_status", "must be one of the call statuses of SPEC §3")
        })?),
    };
    let export = state.app.export_calls(&actor, profile, &range, status)?;
    let date = state.app.now().0.to_zoned_datetime(TimeZone::UTC).date();
    csv_stream::export_download(
        &format!("calls-{date}.csv"),
        "calls",
        CALL_COLUMNS,
        export,
        CallJson::from,
    )
    .await
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn number(value: Option<i32>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

/// Whole cents as dollars with two decimals (`15000` → `150.00`).
fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn attribution(call: &CallJson, key: &str) -> String {
    call.attribution
        .as_ref()
        .and_then(|a| a.get(key))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The calls export's columns, in order (documented in the module docs).
pub const CALL_COLUMNS: &[Column<CallJson>] = &[
    ("id", |c| c.id.clone()),
    ("dj_profile_id", |c| c.dj_profile_id.clone()),
    ("timestamp", |c| c.timestamp.to_string()),
    ("virtual_number", |c| text(&c.virtual_number)),
    ("caller_number", |c| text(&c.caller_number)),
    ("caller_name", |c| text(&c.caller_name)),
    ("call_status", |c| c.call_status.to_string()),
    ("answered", |c| c.answered.to_string()),
    ("call_duration_seconds", |c| number(c.call_duration_seconds)),
    ("talk_seconds", |c| number(c.talk_seconds)),
    ("voicemail_left", |c| c.voicemail_left.to_string()),
    ("source", |c| c.source.to_string()),
    ("page_url", |c| text(&c.page_url)),
    ("event_type", |c| text(&c.event_type)),
    ("lead_score", |c| c.lead_score.to_string()),
    ("is_booked", |c| c.is_booked.to_string()),
    ("tipjar_link_sent", |c| c.tipjar_link_sent.to_string()),
    ("tipjar_payment_received", |c| {
        c.tipjar_payment_received.to_string()
    }),
    ("tipjar_payment_amount", |c| {
        if c.tipjar_payment_received {
            dollars(c.tipjar_payment_amount_cents)
        } else {
            String::new()
        }
    }),
    ("tipjar_payment_amount_cents", |c| {
        c.tipjar_payment_amount_cents.to_string()
    }),
    ("call_sid", |c| text(&c.call_sid)),
    ("has_recording", |c| c.has_recording.to_string()),
    ("recording_duration_seconds", |c| {
        number(c.recording_duration_seconds)
    }),
    ("transcription_status", |c| text(&c.transcription_status)),
    ("transcription_text", |c| text(&c.transcription_text)),
    ("notes", |c| text(&c.notes)),
    ("attribution_confidence", |c| attribution(c, "confidence")),
    ("utm_source", |c| attribution(c, "utm_source")),
    ("utm_medium", |c| attribution(c, "utm_medium")),
    ("utm_campaign", |c| attribution(c, "utm_campaign")),
    ("gclid", |c| attribution(c, "gclid")),
    ("clicked_at", |c| attribution(c, "clicked_at")),
    ("product_context", |c| c.product_context.clone()),
    ("created_at", |c| c.created_at.to_string()),
    ("updated_at", |c| c.updated_at.to_string()),
];

#[cfg(test)]
mod tests {
    #[test]
    fn dollars_have_two_decimals() {
        assert_eq!(super::dollars(15000), "150.00");
        assert_eq!(super::dollars(5), "0.05");
        assert_eq!(super::dollars(0), "0.00");
        assert_eq!(super::dollars(-1999), "-19.99");
    }
}
