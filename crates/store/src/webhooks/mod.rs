//! Outbound webhook endpoints and their delivery log (SPEC §14; migration 0023). Platform
//! data: on PostgreSQL only the service, admins and jobs (`system`) see it; the app checks
//! `Actor::is_platform` first on both backends. Event types are opaque strings here; the app
//! owns their vocabulary.

mod deliveries;

pub use deliveries::{AttemptRecord, NewWebhookEvent, WebhookDelivery};

use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
use djcalls_domain::{Actor, WebhookEndpointId};
use uuid::Uuid;

/// The job kind of an outbound webhook event (`app::webhooks`): queued only while some
/// endpoint is enabled (`jobs::enqueue`).
pub const EVENT_JOB_KIND: &str = "webhook_event";

/// An endpoint, secret included (for signing; the API shows it once, at creation).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub url: String,
    /// Subscribed event types.
    pub events: Vec<String>,
    /// `whsec_<base64>`.
    pub secret: String,
    pub created_at: DbTime,
    /// Set when deliveries failed for too long (or by hand); no new deliveries then.
    pub disabled_at: Option<DbTime>,
    pub disabled_reason: Option<String>,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &"(redacted)")
            .field("created_at", &self.created_at)
            .field("disabled_at", &self.disabled_at)
            .finish()
    }
}

impl WebhookEndpoint {
    pub fn subscribes_to(&self, event_type: &str) -> bool {
        self.events.iter().any(|e| e == event_type)
    }
}

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: Uuid,
    url: String,
    events: String,
    secret: String,
    created_at: DbTime,
    disabled_at: Option<DbTime>,
    disabled_reason: Option<String>,
}

const ENDPOINT_COLUMNS: &str = "id, url, events, secret, created_at, disabled_at, disabled_reason";

impl TryFrom<EndpointRow> for WebhookEndpoint {
    type Error = StoreError;

    fn try_from(row: EndpointRow) -> Result<Self, Self::Error> {
        let events = serde_json::from_str(&row.events)
            .map_err(|e| StoreError::Corrupt(format!("webhook_endpoints.events: {e}")))?;
        Ok(WebhookEndpoint {
            id: WebhookEndpointId(row.id),
            url: row.url,
            events,
            secret: row.secret,
            created_at: row.created_at,
            disabled_at: row.disabled_at,
            disabled_reason: row.disabled_reason,
        })
    }
}

fn endpoints(rows: Vec<EndpointRow>) -> StoreResult<Vec<WebhookEndpoint>> {
    rows.into_iter().map(WebhookEndpoint::try_from).collect()
}

impl Store {
    /// Stores a new endpoint (its id, URL, events and secret as given).
    pub async fn insert_webhook_endpoint(
        &self,
        actor: &Actor,
        endpoint: &WebhookEndpoint,
    ) -> StoreResult<()> {
        let events = serde_json::to_string(&endpoint.events)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        in_tx!(self, actor, write, |conn| {
            sqlx::query(
                "INSERT INTO webhook_endpoints (id, url, events, secret, created_at, disabled_at, \
                 disabled_reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(endpoint.id.0)
            .bind(&endpoint.url)
            .bind(&events)
            .bind(&endpoint.secret)
            .bind(endpoint.created_at)
            .bind(endpoint.disabled_at)
            .bind(&endpoint.disabled_reason)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Whether any endpoint is enabled: a read, so a cause outside a transaction of its own
    /// (the contact events) can skip the write when nothing would be queued. Runs as the system.
    pub async fn any_webhook_endpoint_enabled(&self) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(1 AS BIGINT) FROM webhook_endpoints WHERE disabled_at IS NULL LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
            .is_some()
        }))
    }

    /// Every endpoint, newest first.
    pub async fn webhook_endpoints(&self, actor: &Actor) -> StoreResult<Vec<WebhookEndpoint>> {
        let rows: Vec<EndpointRow> = in_tx!(self, actor, read, |conn| {
            sqlx::query_as(sql_with(
                ENDPOINT_COLUMNS,
                "SELECT {COLUMNS} FROM webhook_endpoints ORDER BY created_at DESC, id DESC",
            ))
            .fetch_all(&mut *conn)
            .await?
        });
        endpoints(rows)
    }

    pub async fn webhook_endpoint(
        &self,
        actor: &Actor,
        id: WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        let row: Option<EndpointRow> = in_tx!(self, actor, read, |conn| {
            sqlx::query_as(sql_with(
                ENDPOINT_COLUMNS,
                "SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1",
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
        });
        row.map(WebhookEndpoint::try_from).transpose()
    }

    /// Deletes an endpoint and its delivery log; false when there was none.
    pub async fn delete_webhook_endpoint(
        &self,
        actor: &Actor,
        id: WebhookEndpointId,
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, actor, write, |conn| {
            sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
                .bind(id.0)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                > 0
        }))
    }
}
