//! `GET /api/djdash/contacts/export.csv` (SPEC §14): every contact `GET /api/djdash/contacts`
//! would page through for the same caller and filters, as one streamed CSV download.
//!
//! Parameters: `dj_profile_id`, `start_date`, `end_date`, `tz` (the contact's last call),
//! `phone` (digits the number contains) and `product_context`, exactly as the list (the same
//! 400s). No cursor, no limit: those list parameters are ignored like any unknown one.
//! Authorised by a bearer token or the dashboards' session cookie (`ApiOrPageCaller`), so the
//! dashboards can link to it.
//!
//! Columns ([`CONTACT_COLUMNS`]; the contact JSON's fields, newest contact first): `id`,
//! `dj_profile_id`, `phone` (E.164, neutralised to `'+1…`: see `csv_stream`), `name`,
//! `first_call_at`, `last_call_at` (RFC 3339, UTC), `calls_count`, `answered_count`,
//! `latest_event_type`, `latest_event_date`, `payments_cents`, `paid_calls`, `opted_out`,
//! `texts_count`, `last_text_at`, `created_at`. Booleans are `true`/`false`, absent values
//! empty cells.

use super::calls::{date_range, optional_profile};
use super::check_product_context;
use crate::api_doc::StandardErrors;
use crate::csv_stream::{self, Column};
use crate::error::ApiResult;
use crate::extract::{ApiOrPageCaller, parse_query};
use crate::request::phone_digits;
use crate::state::HttpState;
use crate::views::ContactJson;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use djcalls_app::contacts::ContactQuery;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(export_contacts))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// One DJ's contacts (admins and the service; a DJ sees only their own anyway).
    #[param(format = Uuid)]
    dj_profile_id: Option<String>,
    /// The contact's last call on or after this local day, `YYYY-MM-DD`.
    #[param(format = Date)]
    start_date: Option<String>,
    /// The contact's last call on or before this local day, `YYYY-MM-DD` (inclusive).
    #[param(format = Date)]
    end_date: Option<String>,
    /// IANA zone for the days (default UTC).
    tz: Option<String>,
    /// Digits the number contains; separators are ignored (`(512) 555` → `512555`).
    phone: Option<String>,
    /// Only `djdash`.
    product_context: Option<String>,
}

/// Every contact the list would page through for the same filters, as one streamed CSV
/// download (RFC 4180, a header row, formulas neutralised; the columns in the README).
#[utoipa::path(get, path = "/api/djdash/contacts/export.csv", tag = "contacts",
    security(("bearer" = []), ("session" = [])),
    params(ExportQuery),
    responses((status = 200, description = "The contacts as CSV, newest first", content_type = "text/csv", body = String),
        StandardErrors))]
async fn export_contacts(
    State(state): State<HttpState>,
    ApiOrPageCaller(actor): ApiOrPageCaller,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let q: ExportQuery = parse_query(query.as_deref())?;
    check_product_context(q.product_context.as_deref().filter(|s| !s.is_empty()))?;
    let query = ContactQuery {
        profile: optional_profile(q.dj_profile_id.as_deref())?,
        last_call: date_range(
            q.start_date.as_deref(),
            q.end_date.as_deref(),
            q.tz.as_deref(),
        )?,
        phone_digits: phone_digits(q.phone.as_deref())?,
    };
    let export = state.app.export_contacts(&actor, &query)?;
    let date = state.app.now().0.to_zoned_datetime(TimeZone::UTC).date();
    csv_stream::export_download(
        &format!("contacts-{date}.csv"),
        "contacts",
        CONTACT_COLUMNS,
        export,
        ContactJson::from,
    )
    .await
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn instant(value: Option<Timestamp>) -> String {
    value.map(|t| t.to_string()).unwrap_or_default()
}

/// The contacts export's columns, in order (documented in the module docs).
pub const CONTACT_COLUMNS: &[Column<ContactJson>] = &[
    ("id", |c| c.id.clone()),
    ("dj_profile_id", |c| c.dj_profile_id.clone()),
    ("phone", |c| c.phone.clone()),
    ("name", |c| text(&c.name)),
    ("first_call_at", |c| instant(c.first_call_at)),
    ("last_call_at", |c| instant(c.last_call_at)),
    ("calls_count", |c| c.calls_count.to_string()),
    ("answered_count", |c| c.answered_count.to_string()),
    ("latest_event_type", |c| text(&c.latest_event_type)),
    ("latest_event_date", |c| text(&c.latest_event_date)),
    ("payments_cents", |c| c.payments_cents.to_string()),
    ("paid_calls", |c| c.paid_calls.to_string()),
    ("opted_out", |c| c.opted_out.to_string()),
    ("texts_count", |c| c.texts_count.to_string()),
    ("last_text_at", |c| instant(c.last_text_at)),
    ("created_at", |c| c.created_at.to_string()),
];
