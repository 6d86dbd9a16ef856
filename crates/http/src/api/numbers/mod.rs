//! `/api/djdash/virtual-numbers` (a DJ's number), the pool (`pool.rs`) and the public DNI
//! lookup (`dni.rs`) (SPEC §3, §5).

mod dni;
pub(crate) mod dni_entries;
mod json;
mod pool;

use super::check_product_context;
use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody, MaybeCaller, parse_query};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use djcalls_app::numbers::NumberView;
use djcalls_domain::{DjProfileId, PhoneNumber};
pub use json::{NumberEnvelope, NumberJson, NumberLookup, NumberLookupJson, PublicNumberJson};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub fn router(origins: &crate::origins::AllowedOrigins) -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(get_number, assign_number, patch_number))
        .routes(routes!(pool::pool_inventory, pool::buy_pool_numbers))
        .routes(routes!(pool::release_pool_number))
        // Called from DJ Dash pages by the widget: CORS for the configured origins.
        .routes(routes!(dni::dni).layer(origins.cors()))
}

fn no_virtual_number() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_virtual_number",
        "This DJ has no active virtual number.",
    )
}

/// Give a DJ a virtual number (from the pool, or bought on demand).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    #[schema(format = Uuid)]
    dj_profile_id: String,
    /// Where calls are forwarded: E.164 or national.
    #[schema(value_type = Option<String>)]
    real_phone_number: Option<PhoneNumber>,
    product_context: Option<String>,
}

/// Assign a virtual number to a DJ (idempotent: an assigned DJ keeps theirs).
#[utoipa::path(post, path = "/api/djdash/virtual-numbers", tag = "numbers",
    security(("bearer" = [])), request_body = AssignBody,
    responses(
        (status = 200, description = "The DJ's existing number", body = NumberEnvelope),
        (status = 201, description = "A number newly assigned", body = NumberEnvelope),
        (status = 409, description = "The pool is exhausted", body = crate::error::Envelope<'static>),
        StandardErrors))]
async fn assign_number(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<AssignBody>,
) -> ApiResult<(StatusCode, Json<NumberEnvelope>)> {
    check_product_context(body.product_context.as_deref())?;
    let dj: DjProfileId = parse_id("dj_profile_id", &body.dj_profile_id)?;
    let (number, created) = state
        .app
        .assign_number(&actor, dj, body.real_phone_number)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, NumberEnvelope::of(number)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct NumberQuery {
    /// Required.
    #[param(format = Uuid)]
    dj_profile_id: Option<String>,
}

/// A DJ's virtual number: the whole record for the DJ, admins and the service; the public
/// part for anyone else (no token).
#[utoipa::path(get, path = "/api/djdash/virtual-numbers", tag = "numbers",
    security((), ("bearer" = [])), params(NumberQuery),
    responses((status = 200, description = "The number", body = NumberLookup), StandardErrors))]
async fn get_number(
    State(state): State<HttpState>,
    MaybeCaller(actor): MaybeCaller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<NumberLookup>> {
    let q: NumberQuery = parse_query(query.as_deref())?;
    let raw = q
        .dj_profile_id
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::field("dj_profile_id", "is required"))?;
    let dj: DjProfileId = parse_id("dj_profile_id", &raw)?;
    let view = state
        .app
        .number_for_dj(actor.as_ref(), dj)
        .await?
        .ok_or_else(no_virtual_number)?;
    let number = match view {
        NumberView::Full(record) => NumberLookupJson::Full(Box::new(NumberJson::from(*record))),
        NumberView::Public {
            dj_profile_id,
            virtual_number,
        } => NumberLookupJson::Public(PublicNumberJson::new(dj_profile_id, &virtual_number)),
    };
    Ok(Json(NumberLookup {
        success: true,
        virtual_number: number,
    }))
}

/// Change where a DJ's calls go, or switch the number off (`is_active: false` releases it).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    #[schema(format = Uuid)]
    dj_profile_id: String,
    #[schema(value_type = Option<String>)]
    real_phone_number: Option<PhoneNumber>,
    is_active: Option<bool>,
    product_context: Option<String>,
}

/// Update a DJ's virtual number.
#[utoipa::path(patch, path = "/api/djdash/virtual-numbers", tag = "numbers",
    security(("bearer" = [])), request_body = PatchBody,
    responses((status = 200, description = "The number", body = NumberEnvelope), StandardErrors))]
async fn patch_number(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<Json<NumberEnvelope>> {
    check_product_context(body.product_context.as_deref())?;
    let dj: DjProfileId = parse_id("dj_profile_id", &body.dj_profile_id)?;
    let number = state
        .app
        .patch_number(&actor, dj, body.real_phone_number, body.is_active)
        .await?
        .ok_or_else(no_virtual_number)?;
    Ok(NumberEnvelope::of(number))
}
