//! `POST /api/djdash/sign-in-links` (SPEC §14): DJ Dash (the service key, no one else) mints a
//! one-time link that signs a DJ into the dashboards without a password. The link is valid for
//! 60 s; `redirect` must be a dashboard path on this site.

use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody};
use crate::next_path::dashboard_path;
use crate::request::parse_id;
use crate::state::HttpState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use djcalls_app::AppError;
use djcalls_domain::Actor;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(mint))
}

/// Whom to sign in, and where to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SignInLinkBody {
    /// The DJ profile the user is linked to (created on first use of a link).
    #[schema(format = Uuid)]
    dj_profile_id: String,
    /// The DJ's email: the user signed in (created, without a password, if new).
    #[schema(format = Email)]
    email: String,
    /// Where the browser lands: a dashboard path on this site (`/dashboard…`).
    #[schema(example = "/dashboard")]
    redirect: String,
}

/// `{"success": true, "url": …, "expires_at": …}`.
#[derive(Serialize, ToSchema)]
pub struct SignInLinkEnvelope {
    pub success: bool,
    /// Open once, within 60 s: `<PUBLIC_BASE_URL>/sign-in/<token>`. A bearer secret.
    pub url: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

/// Mint a one-time sign-in link (the service only).
#[utoipa::path(post, path = "/api/djdash/sign-in-links", tag = "admin", security(("bearer" = [])),
    request_body = SignInLinkBody,
    responses((status = 201, description = "Minted", body = SignInLinkEnvelope), StandardErrors))]
async fn mint(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<SignInLinkBody>,
) -> ApiResult<(StatusCode, Json<SignInLinkEnvelope>)> {
    if !matches!(actor, Actor::Service) {
        return Err(AppError::Forbidden.into());
    }
    let dj_profile_id = parse_id("dj_profile_id", &body.dj_profile_id)?;
    let redirect = dashboard_path(body.redirect.trim()).ok_or_else(|| {
        ApiError::field(
            "redirect",
            "must be a dashboard path on this site, like /dashboard",
        )
    })?;
    let link = state
        .app
        .mint_sign_in_link(&actor, dj_profile_id, &body.email, &redirect)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignInLinkEnvelope {
            success: true,
            url: link.url,
            expires_at: link.expires_at,
        }),
    ))
}
