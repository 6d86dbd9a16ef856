//! Ad conversions valued at the real payment (SPEC §14): the wire formats and senders of the
//! GA4 Measurement Protocol (`purchase`, `refund`) and the Meta Conversions API (`Purchase`).
//! Knows nothing of the database or the job queue: the app decides what to send and when
//! (durable jobs, retried); this crate builds each request, sends it once and says whether a
//! failure is worth retrying.
//!
//! Secrets (GA4's `api_secret`, Meta's access token) are [`SecretString`]s: never in `Debug`,
//! and never in an error, since reqwest's errors name the URL, which carries them; errors are
//! stripped of it ([`reqwest::Error::without_url`]).

mod ga4;
pub mod meta;
mod send;

pub use ga4::{Ga4Config, Ga4Event, Ga4EventName};
pub use meta::{MetaConfig, MetaPurchase, hashed_phone};
pub use send::SendError;

use secrecy::SecretString;
use std::time::Duration;

/// Whole-request timeout of a conversion send.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Which ad platforms are configured; `None` sends nothing there.
#[derive(Clone, Debug, Default)]
pub struct AdPlatforms {
    pub ga4: Option<Ga4Config>,
    pub meta: Option<MetaConfig>,
}

/// The HTTP client type conversions are sent with.
pub type HttpClient = reqwest::Client;

/// The HTTP client conversions are sent with: bounded in time, never following a redirect
/// (which would carry our credentials elsewhere).
pub fn http_client() -> HttpClient {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("djcalls/", env!("CARGO_PKG_VERSION")))
        .build()
        // Only a TLS backend that cannot start fails here; the plain client then still sends.
        .unwrap_or_default()
}

/// Whole cents as the decimal amount both platforms take (`15000` → `150.0`).
pub fn amount(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// A secret from configuration text.
pub fn secret(text: impl Into<String>) -> SecretString {
    SecretString::from(text.into())
}
