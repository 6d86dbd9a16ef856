//! Sending one signed delivery: `POST` the body with `webhook-id`, `webhook-timestamp` and
//! `webhook-signature`, within a timeout, and sort the outcome.
//!
//! The client resolves names through [`GuardedResolver`], which drops every address the
//! [`TargetPolicy`] forbids: the address checked is the address connected to, so a name that
//! resolved to a public address at creation and to a private one now (DNS rebinding) is
//! refused. Addresses written in the URL never reach a resolver and are checked before
//! sending. No proxy (it would resolve for us) and no redirects (they would lead anywhere).

use crate::signature::{WebhookSecret, sign};
use crate::targets::{TargetError, TargetPolicy};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::time::Duration;

/// What one attempt came to. Reasons are short and never carry the secret or the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// The receiver answered something else.
    Rejected { status: u16 },
    /// No answer: timeout, connection or TLS failure.
    Failed { reason: String },
    /// The URL or every address of its host is not allowed (SSRF rules).
    Refused(TargetError),
}

/// Posts deliveries; cheap to clone (one connection pool).
#[derive(Clone, Debug)]
pub struct Sender {
    client: reqwest::Client,
    policy: TargetPolicy,
}

/// One delivery, as sent.
#[derive(Clone, Copy, Debug)]
pub struct Delivery<'a> {
    pub url: &'a str,
    pub secret: &'a WebhookSecret,
    /// `webhook-id`: the event's id, the same on every attempt.
    pub id: &'a str,
    /// `webhook-timestamp`: this attempt's time, in Unix seconds.
    pub timestamp: i64,
    pub body: &'a str,
}

impl Sender {
    /// A sender under `policy` whose requests end after `timeout`.
    pub fn new(policy: TargetPolicy, timeout: Duration) -> Result<Sender, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(GuardedResolver { policy })
            .user_agent(concat!("djcalls-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Sender { client, policy })
    }

    pub fn policy(&self) -> TargetPolicy {
        self.policy
    }

    /// Sends one attempt of `delivery`.
    pub async fn send(&self, delivery: Delivery<'_>) -> Attempt {
        let url = match self.policy.check_url(delivery.url) {
            Ok(url) => url,
            Err(refused) => return Attempt::Refused(refused),
        };
        let signature = sign(
            delivery.secret,
            delivery.id,
            delivery.timestamp,
            delivery.body.as_bytes(),
        );
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", delivery.id)
            .header("webhook-timestamp", delivery.timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.to_string())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt::Delivered {
                status: response.status().as_u16(),
            },
            Ok(response) => Attempt::Rejected {
                status: response.status().as_u16(),
            },
            Err(e) if refused_by_resolver(&e) => Attempt::Refused(TargetError::Private),
            Err(e) => Attempt::Failed {
                reason: describe(&e).to_string(),
            },
        }
    }
}

fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    }
}

fn refused_by_resolver(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<ForbiddenAddresses>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Every address of the name is one the policy forbids.
#[derive(Debug, thiserror::Error)]
#[error("the host resolves only to addresses webhooks may not reach")]
struct ForbiddenAddresses;

/// The system resolver, keeping only the addresses the policy allows.
struct GuardedResolver {
    policy: TargetPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<_> = found.filter(|a| policy.allows(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(ForbiddenAddresses) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

impl std::fmt::Debug for GuardedResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedResolver")
            .field("policy", &self.policy)
            .finish()
    }
}
