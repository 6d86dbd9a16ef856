//! `GET /api/djdash/calls/{id}/recording`: playback of a call's recording for those who may see
//! the call. The audio is fetched from Twilio with the account's credentials and streamed
//! through; the provider's URL is never handed out.

use crate::error::ApiResult;
use crate::extract::Caller;
use crate::request::parse_id;
use crate::state::HttpState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use djcalls_domain::CallId;

pub fn router() -> Router<HttpState> {
    Router::new().route("/api/djdash/calls/{id}/recording", get(recording))
}

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
