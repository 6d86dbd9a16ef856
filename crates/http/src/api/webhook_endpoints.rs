//! Outbound webhook endpoints (SPEC §14; admins and the service, a DJ gets 403):
//! `POST /api/djdash/webhook-endpoints` (the answer carries the `secret`, shown this once),
//! `GET` the list, `GET`/`DELETE …/{id}`, `GET …/{id}/deliveries`,
//! `POST /api/djdash/webhook-endpoints/deliveries/{id}/retry`.

use crate::api_doc::StandardErrors;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonBody};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use djcalls_app::records::{WebhookDelivery, WebhookEndpoint};
use djcalls_domain::{WebhookDeliveryId, WebhookEndpointId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show, delete))
        .routes(routes!(deliveries))
        .routes(routes!(retry))
}

/// A new endpoint.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewEndpointBody {
    /// Where deliveries are POSTed: https (http only for localhost when the deployment allows
    /// it), never a private, loopback or link-local address unless allowed.
    #[schema(example = "https://hooks.example.com/djcalls")]
    url: String,
    /// Event types to deliver, e.g. `call.completed`, `payment.received`.
    events: Vec<String>,
}

/// An endpoint; `secret` only in the answer that created it.
#[derive(Serialize, ToSchema)]
pub struct EndpointJson {
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookEndpointId,
    pub url: String,
    pub events: Vec<String>,
    /// `whsec_<base64>`: verify signatures with it. Shown once, at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    /// Set when deliveries failed for 3 days; nothing is delivered to it then.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
}

impl EndpointJson {
    fn without_secret(e: WebhookEndpoint) -> EndpointJson {
        EndpointJson {
            id: e.id,
            url: e.url,
            events: e.events,
            secret: None,
            created_at: e.created_at.0.to_string(),
            disabled_at: e.disabled_at.map(|t| t.0.to_string()),
            disabled_reason: e.disabled_reason,
        }
    }
}

/// One event's delivery to one endpoint.
#[derive(Serialize, ToSchema)]
pub struct DeliveryJson {
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookDeliveryId,
    #[schema(value_type = String, format = Uuid)]
    pub endpoint_id: WebhookEndpointId,
    /// The `webhook-id` header, the same on every attempt.
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: &'static str,
    pub attempts: i32,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub failed_at: Option<String>,
}

impl From<WebhookDelivery> for DeliveryJson {
    fn from(d: WebhookDelivery) -> Self {
        let status = if d.delivered_at.is_some() && d.next_attempt_at.is_none() {
            "delivered"
        } else if d.failed_at.is_some() {
            "failed"
        } else {
            "pending"
        };
        DeliveryJson {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at.map(|t| t.0.to_string()),
            created_at: d.created_at.0.to_string(),
            delivered_at: d.delivered_at.map(|t| t.0.to_string()),
            failed_at: d.failed_at.map(|t| t.0.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EndpointEnvelope {
    pub success: bool,
    pub endpoint: EndpointJson,
}

#[derive(Serialize, ToSchema)]
pub struct EndpointList {
    pub success: bool,
    pub endpoints: Vec<EndpointJson>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    pub success: bool,
    pub deliveries: Vec<DeliveryJson>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryEnvelope {
    pub success: bool,
    pub delivery: DeliveryJson,
}

/// `{"success": true}`.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub success: bool,
}

/// Create an endpoint; the answer shows its signing secret, once.
#[utoipa::path(post, path = "/api/djdash/webhook-endpoints", tag = "webhook-endpoints",
    security(("bearer" = [])), request_body = NewEndpointBody,
    responses((status = 201, description = "Created, with its secret", body = EndpointEnvelope),
        StandardErrors))]
async fn create(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<NewEndpointBody>,
) -> ApiResult<(StatusCode, Json<EndpointEnvelope>)> {
    let endpoint = state
        .app
        .create_webhook_endpoint(&actor, &body.url, &body.events)
        .await?;
    let secret = endpoint.secret.clone();
    let mut json = EndpointJson::without_secret(endpoint);
    json.secret = Some(secret);
    Ok((
        StatusCode::CREATED,
        Json(EndpointEnvelope {
            success: true,
            endpoint: json,
        }),
    ))
}

/// Every endpoint, newest first (without secrets).
#[utoipa::path(get, path = "/api/djdash/webhook-endpoints", tag = "webhook-endpoints",
    security(("bearer" = [])),
    responses((status = 200, description = "Endpoints", body = EndpointList), StandardErrors))]
async fn list(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<EndpointList>> {
    let endpoints = state.app.webhook_endpoints(&actor).await?;
    Ok(Json(EndpointList {
        success: true,
        endpoints: endpoints
            .into_iter()
            .map(EndpointJson::without_secret)
            .collect(),
    }))
}

/// One endpoint (without its secret).
#[utoipa::path(get, path = "/api/djdash/webhook-endpoints/{id}", tag = "webhook-endpoints",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = EndpointEnvelope),
        StandardErrors))]
async fn show(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<EndpointEnvelope>> {
    let id: WebhookEndpointId = parse_id("id", &id)?;
    let endpoint = state.app.webhook_endpoint(&actor, id).await?;
    Ok(Json(EndpointEnvelope {
        success: true,
        endpoint: EndpointJson::without_secret(endpoint),
    }))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(delete, path = "/api/djdash/webhook-endpoints/{id}", tag = "webhook-endpoints",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The endpoint's id")),
    responses((status = 200, description = "Deleted", body = Deleted), StandardErrors))]
async fn delete(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Deleted>> {
    let id: WebhookEndpointId = parse_id("id", &id)?;
    state.app.delete_webhook_endpoint(&actor, id).await?;
    Ok(Json(Deleted { success: true }))
}

/// An endpoint's deliveries, newest first (at most 100).
#[utoipa::path(get, path = "/api/djdash/webhook-endpoints/{id}/deliveries", tag = "webhook-endpoints",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The endpoint's id")),
    responses((status = 200, description = "Deliveries", body = DeliveryList), StandardErrors))]
async fn deliveries(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliveryList>> {
    let id: WebhookEndpointId = parse_id("id", &id)?;
    let deliveries = state.app.webhook_deliveries(&actor, id).await?;
    Ok(Json(DeliveryList {
        success: true,
        deliveries: deliveries.into_iter().map(DeliveryJson::from).collect(),
    }))
}

/// Send a delivery again now, once, with the same `webhook-id`.
#[utoipa::path(post, path = "/api/djdash/webhook-endpoints/deliveries/{id}/retry",
    tag = "webhook-endpoints", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The delivery's id")),
    responses((status = 200, description = "Queued again", body = DeliveryEnvelope),
        (status = 409, description = "The endpoint is disabled"), StandardErrors))]
async fn retry(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliveryEnvelope>> {
    let id: WebhookDeliveryId = parse_id("id", &id)?;
    let delivery = state.app.retry_webhook_delivery(&actor, id).await?;
    Ok(Json(DeliveryEnvelope {
        success: true,
        delivery: DeliveryJson::from(delivery),
    }))
}
