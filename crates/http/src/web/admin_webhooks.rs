//! `GET /admin/webhooks`: the outbound webhooks' section of the admin console — every endpoint
//! (URL, events, enabled or disabled and why) and the most recent deliveries with their status,
//! attempts and last answer. Endpoints are managed through the API; secrets never appear here.

use super::rows::local;
use super::{Nav, PageError, WebSession};
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use djcalls_app::records::{WebhookDelivery, WebhookEndpoint};
use jiff::tz::TimeZone;

pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub created: String,
    /// "enabled", or "disabled <when>: <why>".
    pub state: String,
    pub enabled: bool,
}

pub struct DeliveryRow {
    pub id: String,
    pub endpoint_url: String,
    pub event_type: String,
    pub event_id: String,
    pub status: &'static str,
    pub attempts: i32,
    pub last_answer: String,
    pub created: String,
    pub next_attempt: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_webhooks.html")]
pub struct WebhooksPage {
    nav: Nav,
    endpoints: Vec<EndpointRow>,
    deliveries: Vec<DeliveryRow>,
}

fn when(t: djcalls_app::records::DbTime) -> String {
    local(t.0, &TimeZone::UTC)
}

fn endpoint_row(e: &WebhookEndpoint) -> EndpointRow {
    EndpointRow {
        id: e.id.to_string(),
        url: e.url.clone(),
        events: e.events.join(", "),
        created: when(e.created_at),
        state: match e.disabled_at {
            None => "enabled".to_string(),
            Some(at) => format!(
                "disabled {}: {}",
                when(at),
                e.disabled_reason.as_deref().unwrap_or("by hand")
            ),
        },
        enabled: e.disabled_at.is_none(),
    }
}

fn delivery_row(d: WebhookDelivery, endpoints: &[WebhookEndpoint]) -> DeliveryRow {
    let status = if d.failed_at.is_some() {
        "failed"
    } else if d.delivered_at.is_some() && d.next_attempt_at.is_none() {
        "delivered"
    } else {
        "pending"
    };
    DeliveryRow {
        id: d.id.to_string(),
        endpoint_url: endpoints
            .iter()
            .find(|e| e.id == d.endpoint_id)
            .map(|e| e.url.clone())
            .unwrap_or_default(),
        event_type: d.event_type,
        event_id: d.event_id,
        status,
        attempts: d.attempts,
        last_answer: match (d.last_status, d.last_error) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(error)) => error,
            (None, None) => String::new(),
        },
        created: when(d.created_at),
        next_attempt: d.next_attempt_at.map(when).unwrap_or_default(),
    }
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
) -> Result<WebhooksPage, PageError> {
    session.require_admin()?;
    let actor = &session.actor;
    let endpoints = state.app.webhook_endpoints(actor).await?;
    let deliveries = state.app.recent_webhook_deliveries(actor).await?;
    Ok(WebhooksPage {
        nav: Nav::of(&session),
        deliveries: deliveries
            .into_iter()
            .map(|d| delivery_row(d, &endpoints))
            .collect(),
        endpoints: endpoints.iter().map(endpoint_row).collect(),
    })
}
