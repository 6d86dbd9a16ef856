//! Outbound webhooks (SPEC §14, Standard Webhooks): endpoints and their delivery log
//! (`endpoints.rs`), the events and where they are raised (`events.rs`), and the two jobs that
//! deliver them (`delivery.rs`).
//!
//! An event is a `webhook_event` job enqueued **in the transaction that caused it** (the voice
//! fold, a transcript segment, the follow-up's "sent", a text, an opt-out or opt-in, a ledger
//! row; on PostgreSQL's projection of `incoming`, the SQL function), deduplicated by its cause,
//! so it exists if and only if its cause committed. No event is raised after a commit. Running it fans the event out into one delivery
//! row and one `webhook_delivery` job per subscribed, enabled endpoint (one transaction). Each
//! delivery job POSTs the body, signed, and on a non-2xx answer or a timeout schedules its next
//! attempt ([`retry_delay`]) with the same `webhook-id`, until [`RETRY_FOR`] after the event;
//! then the delivery failed and its endpoint is disabled. Every delivery is its own job, so a
//! slow or failing endpoint holds one runner slot at most for the timeout and never delays
//! another endpoint's deliveries.

mod delivery;
mod endpoints;
mod events;
mod ledger;

pub use delivery::{RETRY_FOR, WebhookDeliveryJob, WebhookEventJob, retry_delay};
pub use endpoints::DELIVERY_LIST_LIMIT;
pub use events::{EventType, webhook_event_job};
pub(crate) use ledger::ledger_events;

pub use djcalls_outbound::TargetPolicy;
use std::time::Duration;

/// `DJCALLS_WEBHOOKS_TIMEOUT_SECONDS` when unset.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How outbound webhooks may reach their endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `DJCALLS_WEBHOOKS_ALLOW_HTTP_LOCALHOST`, `DJCALLS_WEBHOOKS_ALLOW_PRIVATE_TARGETS`.
    pub targets: TargetPolicy,
    /// `DJCALLS_WEBHOOKS_TIMEOUT_SECONDS`: one attempt's whole request.
    pub timeout: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            targets: TargetPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}
