//! The two jobs of outbound webhooks: `webhook_event` fans an event out into deliveries;
//! `webhook_delivery` makes one attempt and schedules the next.

use super::events::EventType;
use crate::App;
use crate::jobs::{JobKind, JobOutcome};
use djcalls_domain::{Actor, WebhookDeliveryId};
use djcalls_outbound::{Attempt, Delivery, WebhookSecret};
use djcalls_store::jobs::{Job, NewJob, later};
use djcalls_store::webhooks::{AttemptRecord, NewWebhookEvent, WebhookDelivery};
use djcalls_store::{DbTime, StoreError};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// A delivery is retried this long after its event, then it failed and its endpoint is
/// disabled.
pub const RETRY_FOR: SignedDuration = SignedDuration::from_hours(72);

/// The wait after the `attempt`-th failed attempt (1-based): 5 s, 5 min, 30 min, 2 h, 5 h,
/// then every 10 h (the Standard Webhooks reference schedule), until [`RETRY_FOR`].
pub fn retry_delay(attempt: i32) -> SignedDuration {
    match attempt {
        i32::MIN..=1 => SignedDuration::from_secs(5),
        2 => SignedDuration::from_mins(5),
        3 => SignedDuration::from_mins(30),
        4 => SignedDuration::from_hours(2),
        5 => SignedDuration::from_hours(5),
        _ => SignedDuration::from_hours(10),
    }
}

/// An event to deliver: the body's `id`, `type`, `timestamp` and `data`, and the dedupe key of
/// its cause (one event per cause).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookEventJob {
    /// The `webhook-id`.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// RFC 3339, when the cause happened.
    pub timestamp: String,
    pub data: Value,
    pub key: String,
}

impl WebhookEventJob {
    pub(crate) fn new(event_type: EventType, key: String, data: Value, at: DbTime) -> Self {
        WebhookEventJob {
            id: format!("msg_{}", Uuid::now_v7().simple()),
            event_type: event_type.as_str().to_string(),
            timestamp: at.0.to_string(),
            data,
            key,
        }
    }

    pub(crate) fn queue_row(&self, at: DbTime) -> NewJob {
        NewJob {
            kind: Self::KIND.to_string(),
            payload: json!({
                "id": self.id, "type": self.event_type, "timestamp": self.timestamp,
                "data": self.data, "key": self.key,
            })
            .to_string(),
            dedupe_key: self.key.clone(),
            dj_profile_id: None,
            run_at: at,
            max_attempts: Self::MAX_ATTEMPTS,
        }
    }

    /// The body every endpoint gets, byte for byte, on every attempt.
    fn body(&self) -> String {
        json!({"id": self.id, "type": self.event_type, "timestamp": self.timestamp, "data": self.data})
            .to_string()
    }
}

impl JobKind for WebhookEventJob {
    const KIND: &'static str = djcalls_store::webhooks::EVENT_JOB_KIND;
    const MAX_ATTEMPTS: i32 = 10;

    fn dedupe_key(&self) -> String {
        self.key.clone()
    }

    async fn run(self, app: &App, _job: &Job) -> JobOutcome {
        let now = app.now();
        let event = NewWebhookEvent {
            event_id: self.id.clone(),
            event_type: self.event_type.clone(),
            body: self.body(),
        };
        match app
            .store
            .fan_out_webhook_event(&event, now, |id| delivery_job(id, None, now))
            .await
        {
            Ok(created) => {
                if !created.is_empty() {
                    app.jobs_due_now();
                }
                JobOutcome::Done
            }
            Err(e) => {
                tracing::warn!(error = %e, "fanning out a webhook event failed");
                JobOutcome::Retry("database error".to_string())
            }
        }
    }
}

/// One delivery's next attempt. `retry` names a manual retry (its own job).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookDeliveryJob {
    pub delivery_id: Uuid,
    #[serde(default)]
    pub retry: Option<Uuid>,
}

/// The queue row of a delivery's job (automatic, or the manual retry `retry`).
pub(crate) fn delivery_job(id: WebhookDeliveryId, retry: Option<Uuid>, at: DbTime) -> NewJob {
    let job = WebhookDeliveryJob {
        delivery_id: id.0,
        retry,
    };
    NewJob {
        kind: WebhookDeliveryJob::KIND.to_string(),
        payload: json!({"delivery_id": id.0, "retry": retry}).to_string(),
        dedupe_key: job.dedupe_key(),
        dj_profile_id: None,
        run_at: at,
        max_attempts: WebhookDeliveryJob::MAX_ATTEMPTS,
    }
}

impl JobKind for WebhookDeliveryJob {
    const KIND: &'static str = "webhook_delivery";
    /// Counts only attempts that ended in a database error or a crash: the delivery's own
    /// schedule waits between attempts without counting (`JobOutcome::Later`).
    const MAX_ATTEMPTS: i32 = 5;

    fn dedupe_key(&self) -> String {
        match self.retry {
            None => format!("webhook_delivery:{}", self.delivery_id),
            Some(retry) => format!("webhook_delivery:{}:retry:{retry}", self.delivery_id),
        }
    }

    async fn run(self, app: &App, _job: &Job) -> JobOutcome {
        let id = WebhookDeliveryId(self.delivery_id);
        match app.attempt_delivery(id, self.retry.is_some()).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(delivery_id = %id, error = %e, "a webhook delivery hit a database error");
                JobOutcome::Retry("database error".to_string())
            }
        }
    }
}

impl App {
    async fn attempt_delivery(
        &self,
        id: WebhookDeliveryId,
        manual: bool,
    ) -> Result<JobOutcome, StoreError> {
        let system = Actor::System;
        let Some(delivery) = self.store.webhook_delivery(&system, id).await? else {
            return Ok(JobOutcome::Done);
        };
        let settled = delivery.delivered_at.is_some() || delivery.failed_at.is_some();
        if settled && !manual {
            return Ok(JobOutcome::Done);
        }
        let Some(endpoint) = self
            .store
            .webhook_endpoint(&system, delivery.endpoint_id)
            .await?
        else {
            return Ok(JobOutcome::Done);
        };
        let now = self.now();
        if endpoint.disabled_at.is_some() {
            self.store
                .abandon_webhook_delivery(id, "endpoint disabled", now)
                .await?;
            return Ok(JobOutcome::Done);
        }
        let Ok(secret) = WebhookSecret::parse(&endpoint.secret) else {
            return Ok(JobOutcome::Failed("unreadable endpoint secret".to_string()));
        };
        let Some(sender) = self.webhook_sender() else {
            return Ok(JobOutcome::Retry("no HTTP client for webhooks".to_string()));
        };
        let attempt = sender
            .send(Delivery {
                url: &endpoint.url,
                secret: &secret,
                id: &delivery.event_id,
                timestamp: now.0.as_second(),
                body: &delivery.body,
            })
            .await;
        let after = self.now();
        let record = plan(&delivery, &attempt, manual, after);
        tracing::info!(delivery_id = %id, endpoint_id = %endpoint.id, attempt = delivery.attempts + 1, status = ?record.status, delivered = record.delivered, failed = record.failed, "webhook delivery attempted");
        self.store
            .record_webhook_attempt(id, &record, after)
            .await?;
        Ok(match record.next_attempt_at {
            Some(at) => JobOutcome::Later(at),
            None => JobOutcome::Done,
        })
    }
}

/// What the log keeps of `attempt`, and what comes next: another attempt after
/// [`retry_delay`] (never later than [`RETRY_FOR`] after the event, so the last attempt is at
/// that instant), or, once that has passed, failure and the endpoint disabled. A manual retry
/// is one attempt.
fn plan(delivery: &WebhookDelivery, attempt: &Attempt, manual: bool, now: DbTime) -> AttemptRecord {
    let (status, error) = match attempt {
        Attempt::Delivered { status } => {
            return AttemptRecord {
                status: Some(i32::from(*status)),
                delivered: true,
                ..AttemptRecord::default()
            };
        }
        Attempt::Rejected { status } => (Some(i32::from(*status)), format!("answered {status}")),
        Attempt::Failed { reason } => (None, reason.clone()),
        Attempt::Refused(why) => (None, format!("refused: the url {why}")),
    };
    let mut record = AttemptRecord {
        status,
        error: Some(error),
        ..AttemptRecord::default()
    };
    let deadline = later(delivery.created_at, RETRY_FOR);
    if manual {
        record.failed = true;
    } else if now >= deadline {
        record.failed = true;
        record.disable_endpoint = Some("deliveries failed for 3 days".to_string());
    } else {
        let next = later(now, retry_delay(delivery.attempts + 1));
        record.next_attempt_at = Some(next.min(deadline));
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_reaches_three_days_and_then_stops() {
        let mut at = SignedDuration::ZERO;
        let mut attempt = 1;
        while at < RETRY_FOR {
            at = (at + retry_delay(attempt)).min(RETRY_FOR);
            attempt += 1;
        }
        assert_eq!(attempt, 13, "12 retries after the first attempt");
        assert_eq!(retry_delay(1), SignedDuration::from_secs(5));
        assert_eq!(retry_delay(7), SignedDuration::from_hours(10));
    }
}
