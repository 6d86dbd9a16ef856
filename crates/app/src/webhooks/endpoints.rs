//! Managing endpoints and reading their delivery log: admins and the service only (a DJ gets
//! 403). A new endpoint's secret is returned by [`App::create_webhook_endpoint`] and never
//! again: the API shows it once; lists and reads leave it out.

use super::delivery::delivery_job;
use super::events::EventType;
use crate::{App, AppError, AppResult};
use djcalls_domain::{Actor, WebhookDeliveryId, WebhookEndpointId};
use djcalls_outbound::{Sender, WebhookSecret};
use djcalls_store::webhooks::{WebhookDelivery, WebhookEndpoint};
use uuid::Uuid;

/// The most deliveries one listing returns (newest first).
pub const DELIVERY_LIST_LIMIT: u32 = 100;

fn platform_only(actor: &Actor) -> AppResult<()> {
    if actor.is_platform() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The event types named, each known, without repeats; at least one.
fn event_types(events: &[String]) -> AppResult<Vec<String>> {
    if events.is_empty() {
        return Err(AppError::invalid(
            "events",
            "must name at least one event type",
        ));
    }
    let mut known: Vec<String> = Vec::new();
    for name in events {
        let Some(event) = EventType::parse(name.trim()) else {
            let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            let shown: String = name.chars().take(60).collect();
            return Err(AppError::invalid(
                "events",
                format!("unknown event type {shown:?}; known: {}", all.join(", ")),
            ));
        };
        let name = event.as_str().to_string();
        if !known.contains(&name) {
            known.push(name);
        }
    }
    Ok(known)
}

impl App {
    /// A new endpoint for `url` subscribed to `events`, with a new secret. The URL must be
    /// https (http only for localhost when allowed) and its host must resolve to public
    /// addresses only, unless private targets are allowed (checked again on every delivery).
    pub async fn create_webhook_endpoint(
        &self,
        actor: &Actor,
        url: &str,
        events: &[String],
    ) -> AppResult<WebhookEndpoint> {
        platform_only(actor)?;
        let events = event_types(events)?;
        let url = self
            .settings
            .webhooks
            .targets
            .check_target(url)
            .await
            .map_err(|e| AppError::invalid("url", e.to_string()))?;
        let endpoint = WebhookEndpoint {
            id: WebhookEndpointId::new_v7(),
            url: url.to_string(),
            events,
            secret: WebhookSecret::generate().reveal(),
            created_at: self.now(),
            disabled_at: None,
            disabled_reason: None,
        };
        self.store.insert_webhook_endpoint(actor, &endpoint).await?;
        tracing::info!(endpoint_id = %endpoint.id, events = ?endpoint.events, "webhook endpoint created");
        Ok(endpoint)
    }

    /// Every endpoint, newest first.
    pub async fn webhook_endpoints(&self, actor: &Actor) -> AppResult<Vec<WebhookEndpoint>> {
        platform_only(actor)?;
        Ok(self.store.webhook_endpoints(actor).await?)
    }

    pub async fn webhook_endpoint(
        &self,
        actor: &Actor,
        id: WebhookEndpointId,
    ) -> AppResult<WebhookEndpoint> {
        platform_only(actor)?;
        self.store
            .webhook_endpoint(actor, id)
            .await?
            .ok_or(AppError::NotFound("webhook endpoint"))
    }

    /// Deletes an endpoint with its delivery log; deliveries still queued find nothing to do.
    pub async fn delete_webhook_endpoint(
        &self,
        actor: &Actor,
        id: WebhookEndpointId,
    ) -> AppResult<()> {
        platform_only(actor)?;
        if !self.store.delete_webhook_endpoint(actor, id).await? {
            return Err(AppError::NotFound("webhook endpoint"));
        }
        tracing::info!(endpoint_id = %id, "webhook endpoint deleted");
        Ok(())
    }

    /// An endpoint's deliveries, newest first (at most [`DELIVERY_LIST_LIMIT`]).
    pub async fn webhook_deliveries(
        &self,
        actor: &Actor,
        endpoint: WebhookEndpointId,
    ) -> AppResult<Vec<WebhookDelivery>> {
        self.webhook_endpoint(actor, endpoint).await?;
        Ok(self
            .store
            .webhook_deliveries(actor, endpoint, DELIVERY_LIST_LIMIT)
            .await?)
    }

    /// Every endpoint's deliveries, newest first (the admin console).
    pub async fn recent_webhook_deliveries(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<WebhookDelivery>> {
        platform_only(actor)?;
        Ok(self
            .store
            .recent_webhook_deliveries(actor, DELIVERY_LIST_LIMIT)
            .await?)
    }

    /// Sends a delivery again now, once, with the same `webhook-id` (whatever its state; a
    /// disabled endpoint's delivery is refused with 409).
    pub async fn retry_webhook_delivery(
        &self,
        actor: &Actor,
        id: WebhookDeliveryId,
    ) -> AppResult<WebhookDelivery> {
        platform_only(actor)?;
        let not_found = || AppError::NotFound("webhook delivery");
        let delivery = self
            .store
            .webhook_delivery(actor, id)
            .await?
            .ok_or_else(not_found)?;
        let endpoint = self.webhook_endpoint(actor, delivery.endpoint_id).await?;
        if endpoint.disabled_at.is_some() {
            return Err(AppError::Conflict {
                code: "endpoint_disabled",
                message: "this delivery's endpoint is disabled; create it again to resume".into(),
            });
        }
        let now = self.now();
        let job = delivery_job(id, Some(Uuid::now_v7()), now);
        if !self
            .store
            .retry_webhook_delivery(actor, id, &job, now)
            .await?
        {
            return Err(not_found());
        }
        self.jobs_due_now();
        self.store
            .webhook_delivery(actor, id)
            .await?
            .ok_or_else(not_found)
    }

    /// The HTTP client deliveries go through (built once, with this app's settings).
    pub(crate) fn webhook_sender(&self) -> Option<&Sender> {
        self.webhook_sender
            .get_or_init(|| {
                let settings = self.settings.webhooks;
                Sender::new(settings.targets, settings.timeout)
                    .map_err(|e| tracing::error!(error = %e, "the webhook HTTP client could not be built"))
                    .ok()
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_event_types_are_refused_by_name_and_repeats_dropped() {
        let named = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            event_types(&named(&[
                "call.completed",
                "call.completed",
                "lead.opted_out"
            ]))
            .expect("known"),
            named(&["call.completed", "lead.opted_out"])
        );
        let Err(AppError::Invalid { field, message }) = event_types(&named(&["call.exploded"]))
        else {
            panic!("refused");
        };
        assert_eq!(field, "events");
        assert!(message.contains("call.exploded"), "{message}");
        assert!(event_types(&[]).is_err());
    }
}
