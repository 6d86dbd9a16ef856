//! Payment links for djcalls: Stripe Checkout, the TipJar service and a simulator behind one
//! trait, their webhook signature checks, and the parsing of their webhooks into one event type.
//!
//! No database and no HTTP server live here: the `app` crate records what these events mean and
//! the `http` crate receives the webhooks and calls [`stripe::verify_stripe_signature`] /
//! [`tipjar::verify_tipjar_signature`] on the raw body before parsing it.

pub mod event;
pub mod provider;
pub mod signature;
pub mod simulator;
pub mod stripe;
pub mod tipjar;

mod transport;

pub use event::{EventParseError, PaymentEvent, Provider, RefundAmount};
pub use provider::{PaymentError, PaymentLinks, SessionRequest};
pub use signature::{DEFAULT_TOLERANCE_SECS, SignatureError};
pub use simulator::{SignedWebhook, SimulatedPayments, SimulatorError};
pub use stripe::{StripeClient, StripeConfig};
pub use tipjar::{TipJarClient, TipJarConfig};
