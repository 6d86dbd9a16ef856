//! `/api/djdash/calls/{id}/messages`: the texts between a call's DJ and its caller, and the
//! DJ's replies (SPEC §13, two-way texts).

use crate::api_doc::StandardErrors;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonBody};
use crate::request::parse_id;
use crate::state::HttpState;
use crate::views::MessageJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use djcalls_domain::CallId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(list_messages, send_message))
}

/// `{"success": true, "messages": […]}`, oldest first.
#[derive(Serialize, ToSchema)]
struct MessagesEnvelope {
    success: bool,
    /// Every text (up to the latest 500) between the call's DJ and its caller, whichever of
    /// the caller's calls it came with.
    messages: Vec<MessageJson>,
}

/// `{"success": true, "message": …}`.
#[derive(Serialize, ToSchema)]
struct MessageEnvelope {
    success: bool,
    message: MessageJson,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReplyBody {
    /// The text, 1–1600 characters (Twilio's limit); sent as written.
    body: String,
}

const ID: &str = "The call's id";

/// The conversation with the call's caller: the follow-up texts we sent, the DJ's replies and
/// the caller's texts, with their delivery state.
#[utoipa::path(get, path = "/api/djdash/calls/{id}/messages", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    responses((status = 200, description = "The texts, oldest first", body = MessagesEnvelope), StandardErrors))]
async fn list_messages(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<MessagesEnvelope>> {
    let id: CallId = parse_id("id", &id)?;
    let conversation = state.app.call_messages(&actor, id).await?;
    Ok(Json(MessagesEnvelope {
        success: true,
        messages: conversation
            .messages
            .into_iter()
            .map(MessageJson::from)
            .collect(),
    }))
}

/// Text the call's caller from the call's virtual number (the DJ or an admin; not the
/// service). Delivery reports update the message's `status`. 409 `opted_out`: the caller
/// texted STOP, nothing is sent; 409 `quiet_hours`: it is quiet hours in the DJ's zone and the
/// caller has not written within the last hour.
#[utoipa::path(post, path = "/api/djdash/calls/{id}/messages", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    request_body = ReplyBody,
    responses((status = 201, description = "Twilio accepted it", body = MessageEnvelope),
        (status = 409, description = "Not sent: `opted_out`, `quiet_hours`, `no_caller_number`, `undeliverable`"),
        (status = 502, description = "Twilio did not send it; try again"),
        StandardErrors))]
async fn send_message(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReplyBody>,
) -> ApiResult<(StatusCode, Json<MessageEnvelope>)> {
    let id: CallId = parse_id("id", &id)?;
    let message = state.app.send_reply(&actor, id, &body.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(MessageEnvelope {
            success: true,
            message: MessageJson::from(message),
        }),
    ))
}
