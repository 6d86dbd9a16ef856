//! The delivery log: one row per (endpoint, event), fanned out in the transaction that
//! enqueues each delivery's job; every attempt recorded on it; retried by hand.

use super::{ENDPOINT_COLUMNS, EndpointRow, WebhookEndpoint, endpoints};
use crate::jobs::{NewJob, enqueue};
use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, WebhookDeliveryId, WebhookEndpointId};
use uuid::Uuid;

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookDelivery {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: WebhookDeliveryId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub endpoint_id: WebhookEndpointId,
    /// The `webhook-id` header, the same on every attempt.
    pub event_id: String,
    pub event_type: String,
    /// The exact JSON signed and sent.
    pub body: String,
    pub attempts: i32,
    /// The HTTP status of the last answer; `None` without one (timeout, refused, not tried).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DbTime>,
    pub created_at: DbTime,
    pub delivered_at: Option<DbTime>,
    pub failed_at: Option<DbTime>,
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_id, event_type, body, attempts, \
    last_status, last_error, next_attempt_at, created_at, delivered_at, failed_at";

/// An event to fan out to the endpoints subscribed to its type.
#[derive(Clone, Debug)]
pub struct NewWebhookEvent {
    pub event_id: String,
    pub event_type: String,
    pub body: String,
}

/// What one attempt came to, as the log keeps it.
#[derive(Clone, Debug, Default)]
pub struct AttemptRecord {
    pub status: Option<i32>,
    pub error: Option<String>,
    pub delivered: bool,
    /// The next automatic attempt, when one is scheduled.
    pub next_attempt_at: Option<DbTime>,
    /// No more automatic attempts: the delivery failed.
    pub failed: bool,
    /// Disable the endpoint too, with this reason (it failed for too long).
    pub disable_endpoint: Option<String>,
}

impl Store {
    /// Creates the event's delivery for every enabled endpoint subscribed to its type (once per
    /// endpoint and event) and, in the same transaction, the job `job` makes for each new
    /// delivery. Returns the new deliveries' ids.
    pub async fn fan_out_webhook_event<F>(
        &self,
        event: &NewWebhookEvent,
        at: DbTime,
        job: F,
    ) -> StoreResult<Vec<WebhookDeliveryId>>
    where
        F: Fn(WebhookDeliveryId) -> NewJob + Send + Sync,
    {
        let rows: Vec<EndpointRow> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as(sql_with(
                ENDPOINT_COLUMNS,
                "SELECT {COLUMNS} FROM webhook_endpoints WHERE disabled_at IS NULL ORDER BY id",
            ))
            .fetch_all(&mut *conn)
            .await?
        });
        let targets: Vec<WebhookEndpoint> = endpoints(rows)?
            .into_iter()
            .filter(|e| e.subscribes_to(&event.event_type))
            .collect();
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let mut created = Vec::new();
            for endpoint in &targets {
                let id: Option<Uuid> = sqlx::query_scalar(
                    "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, \
                     attempts, next_attempt_at, created_at) \
                     SELECT $1, id, $3, $4, $5, 0, $6, $6 FROM webhook_endpoints \
                     WHERE id = $2 AND disabled_at IS NULL \
                     ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id",
                )
                .bind(Uuid::now_v7())
                .bind(endpoint.id.0)
                .bind(&event.event_id)
                .bind(&event.event_type)
                .bind(&event.body)
                .bind(at)
                .fetch_optional(&mut *conn)
                .await?;
                if let Some(id) = id.map(WebhookDeliveryId) {
                    enqueue(conn, &job(id), at).await?;
                    created.push(id);
                }
            }
            created
        }))
    }

    pub async fn webhook_delivery(
        &self,
        actor: &Actor,
        id: WebhookDeliveryId,
    ) -> StoreResult<Option<WebhookDelivery>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as(sql_with(
                DELIVERY_COLUMNS,
                "SELECT {COLUMNS} FROM webhook_deliveries WHERE id = $1",
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// An endpoint's deliveries, newest first, at most `limit`.
    pub async fn webhook_deliveries(
        &self,
        actor: &Actor,
        endpoint: WebhookEndpointId,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as(sql_with(
                DELIVERY_COLUMNS,
                "SELECT {COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2",
            ))
            .bind(endpoint.0)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Every endpoint's deliveries, newest first, at most `limit` (the admin console).
    pub async fn recent_webhook_deliveries(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as(sql_with(
                DELIVERY_COLUMNS,
                "SELECT {COLUMNS} FROM webhook_deliveries ORDER BY created_at DESC, id DESC LIMIT $1",
            ))
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Records one attempt (and, when told, disables the endpoint) in one transaction.
    pub async fn record_webhook_attempt(
        &self,
        id: WebhookDeliveryId,
        attempt: &AttemptRecord,
        at: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            let endpoint: Option<Uuid> = sqlx::query_scalar(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, \
                 last_error = $3, next_attempt_at = $4, \
                 delivered_at = CASE WHEN $5 THEN $7 ELSE delivered_at END, \
                 failed_at = CASE WHEN $6 THEN $7 ELSE NULL END \
                 WHERE id = $1 RETURNING endpoint_id",
            )
            .bind(id.0)
            .bind(attempt.status)
            .bind(&attempt.error)
            .bind(attempt.next_attempt_at)
            .bind(attempt.delivered)
            .bind(attempt.failed)
            .bind(at)
            .fetch_optional(&mut *conn)
            .await?;
            if let (Some(endpoint), Some(reason)) = (endpoint, &attempt.disable_endpoint) {
                sqlx::query(
                    "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3 \
                     WHERE id = $1 AND disabled_at IS NULL",
                )
                .bind(endpoint)
                .bind(at)
                .bind(reason)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Settles a delivery without an attempt (its endpoint was disabled meanwhile).
    pub async fn abandon_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        reason: &str,
        at: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE webhook_deliveries SET last_error = $2, next_attempt_at = NULL, \
                 failed_at = $3 WHERE id = $1 AND delivered_at IS NULL",
            )
            .bind(id.0)
            .bind(reason)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// A manual retry: the delivery is pending again, due `at`, with `job` enqueued in the same
    /// transaction. False when there is no such delivery.
    pub async fn retry_webhook_delivery(
        &self,
        actor: &Actor,
        id: WebhookDeliveryId,
        job: &NewJob,
        at: DbTime,
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, actor, write, |conn| {
            let updated = sqlx::query(
                "UPDATE webhook_deliveries SET next_attempt_at = $2, failed_at = NULL \
                 WHERE id = $1",
            )
            .bind(id.0)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
            if updated {
                enqueue(conn, job, at).await?;
            }
            updated
        }))
    }

    /// Deletes the deliveries that finished (delivered, or failed for good) before `before`
    /// and wait for no attempt; returns how many. The delivery log's retention, on its index
    /// `webhook_deliveries_finished` (migration 0034).
    pub async fn prune_webhook_deliveries(&self, before: DbTime) -> StoreResult<u64> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(PRUNE_SQL)
                .bind(before)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }

    /// The database's plan for [`Store::prune_webhook_deliveries`] (nothing is deleted): one
    /// line per row of `EXPLAIN` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite).
    pub async fn explain_webhook_prune(&self, before: DbTime) -> StoreResult<Vec<String>> {
        let (prefix, column) = match self.backend() {
            crate::Backend::Postgres => ("EXPLAIN", 0),
            crate::Backend::Sqlite => ("EXPLAIN QUERY PLAN", 3),
        };
        let sql = sqlx::AssertSqlSafe(format!("{prefix} {PRUNE_SQL}"));
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query(sql)
                .bind(before)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| sqlx::Row::try_get::<String, _>(row, column))
                .collect::<Result<Vec<_>, _>>()?
        }))
    }
}

/// The delivery log's retention: its predicate is `webhook_deliveries_finished`'s (a partial
/// index on `finished_at`, the generated `coalesce(delivered_at, failed_at)`), so both
/// databases use it.
const PRUNE_SQL: &str =
    "DELETE FROM webhook_deliveries WHERE next_attempt_at IS NULL AND finished_at < $1";
