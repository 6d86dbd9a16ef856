//! Outbound webhooks in the Standard Webhooks scheme (<https://www.standardwebhooks.com>),
//! without a database: the secret and signature ([`signature`]), which URLs and addresses an
//! endpoint may point at ([`targets`], the SSRF rules), and the sender that POSTs one signed
//! delivery ([`sender`]). What to send and when (events, retries, the delivery log) is the
//! app's (`djcalls_app::webhooks`).

pub mod sender;
pub mod signature;
pub mod targets;

pub use sender::{Attempt, Delivery, Sender};
pub use signature::{WebhookSecret, sign, verify};
pub use targets::{TargetError, TargetPolicy};
