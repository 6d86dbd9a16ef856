//! `PUT/GET /api/djdash/profiles/{id}`.

use super::{double_option, text};
use crate::error::ApiResult;
use crate::extract::{Caller, JsonBody};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::ProfileJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use djcalls_app::profiles::ProfileInput;
use djcalls_domain::{DjProfileId, PhoneNumber};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<HttpState> {
    Router::new().route(
        "/api/djdash/profiles/{id}",
        get(get_profile).put(put_profile),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileBody {
    id: Option<String>,
    dj_name: Option<String>,
    dj_slug: Option<String>,
    is_published: Option<bool>,
    timezone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    real_phone_number: Option<Option<PhoneNumber>>,
    product_context: Option<String>,
}

async fn get_profile(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id: DjProfileId = parse_id("id", &id)?;
    let profile = state.app.get_profile(&actor, id).await?;
    Ok(Json(
        json!({"success": true, "profile": ProfileJson::from(profile)}),
    ))
}

async fn put_profile(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProfileBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
    Ok((
        status,
        Json(json!({"success": true, "profile": ProfileJson::from(profile)})),
    ))
}
