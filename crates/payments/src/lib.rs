//! Payment links for djcalls: Stripe Checkout, the TipJar service and a simulator behind one
//! trait, their webhook signature checks, and the parsing of their webhooks into one event type.
//!
//! No database and no HTTP server live here: every webhook comes in through
//! [`Provider::verify_and_parse`] (signature over the raw body, then the typed
//! [`PaymentEvent`]), and the `app` crate records what the event means.

pub mod event;
pub mod provider;
pub mod signature;
pub mod simulator;
pub mod stripe;
pub mod tipjar;
pub mod webhook;

mod transport;

pub use event::{EventParseError, PaymentEvent, Provider, RefundAmount};
pub use provider::{PaymentError, PaymentLinks, SessionRequest};
pub use signature::{DEFAULT_TOLERANCE_SECS, SignatureError};
pub use simulator::{SignedWebhook, SimulatedPayments, SimulatorError};
pub use stripe::{StripeClient, StripeConfig};
pub use tipjar::{TipJarClient, TipJarConfig};
pub use webhook::WebhookRejection;
