//! `/api/djdash/contacts`: the callers of a DJ as contacts (SPEC §14), listed with the calls
//! list's filters and cursor pages, and one contact with its calls.

use super::calls::{date_range, optional_profile};
use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, parse_query};
use crate::request::{parse_id, phone_digits};
use crate::state::HttpState;
use crate::views::{CallJson, ContactJson};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use djcalls_app::calls::{DEFAULT_PAGE, MAX_PAGE};
use djcalls_app::contacts::ContactQuery;
use djcalls_domain::ContactId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact))
}

/// A page of contacts, newest first.
#[derive(Serialize, ToSchema)]
pub struct ContactPage {
    pub success: bool,
    pub contacts: Vec<ContactJson>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// `{"success": true, "contact": …, "calls": […]}`: its newest 100 calls, newest first.
#[derive(Serialize, ToSchema)]
pub struct ContactEnvelope {
    pub success: bool,
    pub contact: ContactJson,
    pub calls: Vec<CallJson>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
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
    /// Page size, 1 to 1000 (default 100).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List contacts, newest first, a page at a time.
#[utoipa::path(get, path = "/api/djdash/contacts", tag = "contacts", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "A page of contacts", body = ContactPage), StandardErrors))]
async fn list_contacts(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<ContactPage>> {
    let q: ListQuery = parse_query(query.as_deref())?;
    super::check_product_context(q.product_context.as_deref().filter(|s| !s.is_empty()))?;
    let query = ContactQuery {
        profile: optional_profile(q.dj_profile_id.as_deref())?,
        last_call: date_range(
            q.start_date.as_deref(),
            q.end_date.as_deref(),
            q.tz.as_deref(),
        )?,
        phone_digits: phone_digits(q.phone.as_deref())?,
    };
    let limit = page_limit(q.limit.as_deref())?;
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let page = state
        .app
        .list_contacts(&actor, &query, cursor, limit)
        .await?;
    Ok(Json(ContactPage {
        success: true,
        contacts: page.contacts.into_iter().map(ContactJson::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One contact with its calls.
#[utoipa::path(get, path = "/api/djdash/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The contact's id")),
    responses((status = 200, description = "The contact and its newest calls", body = ContactEnvelope), StandardErrors))]
async fn get_contact(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ContactEnvelope>> {
    let id: ContactId = parse_id("id", &id)?;
    let history = state.app.contact_history(&actor, id).await?;
    Ok(Json(ContactEnvelope {
        success: true,
        contact: ContactJson::from(history.contact),
        calls: history.calls.into_iter().map(CallJson::from).collect(),
    }))
}

/// `limit` as for the calls list: 1–1000, default 100.
fn page_limit(raw: Option<&str>) -> ApiResult<u32> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_PAGE),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(ApiError::field(
                "limit",
                format!("must be a whole number from 1 to {MAX_PAGE}"),
            )),
        },
    }
}
