//! `GET /api/djdash/calls/{id}/recording`: playback of a call's recording for those who may see
//! the call. The audio is fetched from Twilio with the account's credentials and streamed
//! through; the provider's URL is never handed out.

use crate::error::ApiResult;
use crate::extract::Caller;
use crate::request::parse_id;
use crate::state::HttpState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use djcalls_domain::CallId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(recording))
}

/// A call's recording, for those who may see the call.
#[utoipa::path(get, path = "/api/djdash/calls/{id}/recording", tag = "calls",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The call's id")),
    responses((status = 200, description = "The audio", content_type = "audio/mpeg",
            body = Vec<u8>),
        crate::api_doc::StandardErrors))]
async fn recording(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id: CallId = parse_id("id", &id)?;
    let audio = state.app.recording(&actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, audio.content_type),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        audio.bytes,
    )
        .into_response())
}
