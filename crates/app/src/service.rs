//! What the edges need of the running service itself, as narrow read-only accessors:
//! readiness and shutdown of the database, the live-update channel, and the few settings the
//! HTTP edge reads (its public URL for signatures and cookies, the widget's allowed origins,
//! the Twilio auth token that signs webhooks). Everything else goes through a use case.

use crate::App;
use crate::live::LiveEvent;
use secrecy::SecretString;
use tokio::sync::broadcast;

impl App {
    /// Whether the database answers (`/readyz`).
    pub async fn is_ready(&self) -> bool {
        self.store.ping().await
    }

    /// Which database engine the store talks to (for the start-up log line).
    pub fn database_backend(&self) -> djcalls_store::Backend {
        self.store.backend()
    }

    /// Closes the database pool: the last step of a graceful shutdown or a one-off command.
    pub async fn close(&self) {
        if let Err(e) = self.flush_numbers_shown().await {
            tracing::warn!(error = %e, "could not write the DNI counts before closing");
        }
        self.store.close().await;
    }

    /// Announcements of created and changed calls (from every process on the database while
    /// the relay runs), for open dashboards.
    pub fn subscribe_live(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }

    /// `PUBLIC_BASE_URL`, without a trailing slash.
    pub fn public_base_url(&self) -> &str {
        &self.settings.public_base_url
    }

    /// `DJCALLS_ALLOWED_ORIGINS` as configured (comma-separated, or `*`).
    pub fn allowed_origins(&self) -> &str {
        &self.settings.allowed_origins
    }

    /// `DJCALLS_FRAME_ANCESTORS`: the origins that may frame the dashboards (none: no one).
    pub fn frame_ancestors(&self) -> &[String] {
        &self.settings.frame_ancestors
    }

    /// The token `X-Twilio-Signature` is checked against (the simulator's when telephony is
    /// simulated).
    pub fn twilio_auth_token(&self) -> &SecretString {
        &self.settings.twilio_auth_token
    }
}
