//! Use cases of djcalls: the one place that orchestrates storage (and, later, telephony and
//! payments). HTTP handlers, background jobs and the CLI all go through `App`.

pub mod admin;
pub mod auth;
pub mod calls;
pub mod clicks;
pub mod clock;
pub mod demo;
pub mod error;
pub mod followup;
pub mod jobs;
pub mod live;
pub mod numbers;
pub mod payments;
pub mod profiles;
pub mod sessions;
pub mod settings;
pub mod sms;
pub mod voice;

pub use clock::{Clock, SystemClock};
pub use error::{AppError, AppResult};
pub use settings::Settings;

use djcalls_payments::PaymentLinks;
use djcalls_store::Store;
use djcalls_telephony::Telephony;
use std::sync::Arc;

/// Everything a use case needs. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Twilio, or the simulator when no Twilio credentials are configured.
    pub telephony: Arc<dyn Telephony>,
    /// Stripe, TipJar or the simulator (`PAYMENT_PROVIDER`).
    pub payments: Arc<dyn PaymentLinks>,
    /// Announces call changes to open dashboards.
    pub live: live::LiveEvents,
}

impl App {
    pub fn new(
        store: Store,
        settings: Settings,
        clock: Arc<dyn Clock>,
        telephony: Arc<dyn Telephony>,
        payments: Arc<dyn PaymentLinks>,
    ) -> App {
        App {
            store,
            settings: Arc::new(settings),
            clock,
            telephony,
            payments,
            live: live::LiveEvents::default(),
        }
    }

    pub(crate) fn now(&self) -> djcalls_store::DbTime {
        djcalls_store::DbTime(self.clock.now())
    }
}

/// The stored records use cases hand to their callers.
pub mod records {
    pub use djcalls_store::DbTime;
    pub use djcalls_store::analytics::TopDj;
    pub use djcalls_store::calls::{CallPatch, CallRecord};
    pub use djcalls_store::jobs::Job;
    pub use djcalls_store::messages::OptOut;
    pub use djcalls_store::profiles::Profile;
}
