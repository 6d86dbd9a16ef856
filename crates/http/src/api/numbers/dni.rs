//! `GET /api/djdash/dni?ids=…` (public): the widget's dynamic number insertion (SPEC §7).

use crate::error::{ApiError, ApiResult};
use crate::extract::parse_query;
use crate::state::HttpState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use djcalls_app::numbers::MAX_DNI_IDS;
use djcalls_domain::DjProfileId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct DniQuery {
    /// DJ profile ids separated by commas (at most `MAX_DNI_IDS`, 50).
    ids: Option<String>,
}

/// Published DJs' numbers by profile id (DJs without one are left out).
#[derive(Serialize, ToSchema)]
pub struct DniJson {
    pub success: bool,
    pub numbers: BTreeMap<String, DniNumberJson>,
}

#[derive(Serialize, ToSchema)]
pub struct DniNumberJson {
    pub virtual_number: String,
    pub display_number: String,
    /// Send back with a click on this number (`POST /api/djdash/clicks`); valid 24 h.
    pub click_token: String,
}

/// The numbers to show on DJ Dash pages (public, cacheable for 60 s).
#[utoipa::path(get, path = "/api/djdash/dni", tag = "numbers", params(DniQuery),
    responses((status = 200, description = "Numbers", body = DniJson),
        (status = 400, description = "Bad ids", body = crate::error::Envelope<'static>)))]
pub(super) async fn dni(
    State(state): State<HttpState>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let q: DniQuery = parse_query(query.as_deref())?;
    let raw = q.ids.unwrap_or_default();
    let mut ids: Vec<DjProfileId> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let id: DjProfileId = part
            .parse()
            .map_err(|_| ApiError::field("ids", "must be DJ profile UUIDs separated by commas"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(ApiError::field("ids", "is required"));
    }
    if ids.len() > MAX_DNI_IDS {
        return Err(ApiError::field(
            "ids",
            format!("may name at most {MAX_DNI_IDS} DJ profiles"),
        ));
    }
    let found = state.app.dni_numbers(&ids).await?;
    // The funnel's "numbers shown": an increment in memory, written in batches.
    state
        .app
        .count_numbers_shown(found.iter().map(|(dj, _)| *dj));
    let body = state.dni_entries.answer(&state.app, found);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            ),
        ],
        body,
    )
        .into_response())
}
