//! Outbound webhooks' settings (SPEC §14): which targets deliveries may reach, and how long
//! one attempt may take.

use clap::Args;
use djcalls_app::webhooks::{TargetPolicy, WebhookSettings};
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct WebhookArgs {
    /// Accept http:// endpoints on localhost (development only; https everywhere else).
    #[arg(long, env = "DJCALLS_WEBHOOKS_ALLOW_HTTP_LOCALHOST", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhooks_allow_http_localhost: bool,

    /// Let endpoints reach private, loopback and link-local addresses (refused by default,
    /// when an endpoint is created and on every delivery: SSRF).
    #[arg(long, env = "DJCALLS_WEBHOOKS_ALLOW_PRIVATE_TARGETS", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhooks_allow_private_targets: bool,

    /// Seconds one delivery attempt may take before it counts as failed (and is retried).
    #[arg(long, env = "DJCALLS_WEBHOOKS_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub webhooks_timeout_seconds: u64,
}

impl WebhookArgs {
    pub fn settings(&self) -> WebhookSettings {
        WebhookSettings {
            targets: TargetPolicy {
                allow_http_localhost: self.webhooks_allow_http_localhost,
                allow_private: self.webhooks_allow_private_targets,
            },
            timeout: Duration::from_secs(self.webhooks_timeout_seconds),
        }
    }
}
