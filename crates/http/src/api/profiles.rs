//! `PUT/GET /api/djdash/profiles/{id}`.

use super::{double_option, text};
use crate::api_doc::StandardErrors;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonBody};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::ProfileJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use djcalls_app::profiles::ProfileInput;
use djcalls_domain::{DjProfileId, PhoneNumber};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(get_profile, put_profile))
}

/// `{"success": true, "profile": …}`.
#[derive(Serialize, ToSchema)]
pub struct ProfileEnvelope {
    pub success: bool,
    pub profile: ProfileJson,
}

impl ProfileEnvelope {
    fn of(profile: djcalls_app::records::Profile) -> Json<ProfileEnvelope> {
        Json(ProfileEnvelope {
            success: true,
            profile: ProfileJson::from(profile),
        })
    }
}

/// A DJ profile as DJ Dash sends it; absent fields keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ProfileBody {
    /// When present, must equal the id in the path.
    #[schema(format = Uuid)]
    id: Option<String>,
    dj_name: Option<String>,
    dj_slug: Option<String>,
    is_published: Option<bool>,
    /// IANA zone, e.g. `America/Chicago`.
    timezone: Option<String>,
    /// Where calls are forwarded: E.164 or national; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    real_phone_number: Option<Option<PhoneNumber>>,
    product_context: Option<String>,
}

const ID: &str = "The DJ profile's id (DJ Dash's)";

/// One DJ profile.
#[utoipa::path(get, path = "/api/djdash/profiles/{id}", tag = "profiles", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    responses((status = 200, description = "The profile", body = ProfileEnvelope), StandardErrors))]
async fn get_profile(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileEnvelope>> {
    let id: DjProfileId = parse_id("id", &id)?;
    let profile = state.app.get_profile(&actor, id).await?;
    Ok(ProfileEnvelope::of(profile))
}

/// Create or update a DJ profile.
#[utoipa::path(put, path = "/api/djdash/profiles/{id}", tag = "profiles", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    request_body = ProfileBody,
    responses(
        (status = 200, description = "Updated", body = ProfileEnvelope),
        (status = 201, description = "Created", body = ProfileEnvelope),
        StandardErrors))]
async fn put_profile(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProfileBody>,
) -> ApiResult<(StatusCode, Json<ProfileEnvelope>)> {
    let id: DjProfileId = parse_id("id", &id)?;
    if let Some(body_id) = &body.id
        && parse_id::<DjProfileId>("id", body_id)? != id
    {
        return Err(crate::error::ApiError::field(
            "id",
            "must match the id in the path",
        ));
    }
    super::check_product_context(body.product_context.as_deref())?;
    let input = ProfileInput {
        dj_name: text("dj_name", body.dj_name, 120)?,
        dj_slug: body.dj_slug,
        is_published: body.is_published,
        timezone: body.timezone,
        real_phone_number: body.real_phone_number,
    };
    let (profile, created) = state.app.put_profile(&actor, id, input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ProfileEnvelope::of(profile)))
}
