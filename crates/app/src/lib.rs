//! Use cases of djcalls: the one place that orchestrates storage, telephony and payments.
//! HTTP handlers, background jobs and the CLI all go through `App`, whose fields are private:
//! an edge that needs something of the service asks for it by name (`service.rs`).

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod call_history;
pub mod call_quality;
pub mod calls;
pub mod click_tokens;
pub mod clicks;
pub mod clock;
pub mod contacts;
pub mod conversation;
pub mod conversions;
mod cursor;
pub mod demo;
mod demo_journeys;
mod demo_timeline;
mod demo_transcripts;
pub mod error;
pub mod experiments;
pub mod export_pages;
pub mod fallback;
pub mod followup;
pub mod followup_texts;
pub mod jobs;
pub mod limits;
pub mod live;
pub mod numbers;
pub mod outage;
pub mod payments;
pub mod profiles;
pub mod projection;
pub mod reports;
mod service;
pub mod sessions;
pub mod settings;
pub mod sign_in_links;
pub mod sms;
mod transcripts;
pub mod voice;
pub mod webhooks;

pub use clock::{Clock, SystemClock};
pub use error::{AppError, AppResult};
pub use settings::Settings;

use djcalls_payments::PaymentLinks;
use djcalls_store::Store;
use djcalls_telephony::Telephony;
use std::sync::Arc;

/// Everything a use case needs. Cheap to clone. The fields are private so that no edge reads
/// the store around the use cases (and their access checks); see `service.rs` for what the
/// edges may ask for.
#[derive(Clone)]
pub struct App {
    store: Store,
    settings: Arc<Settings>,
    clock: Arc<dyn Clock>,
    /// Twilio, or the simulator when no Twilio credentials are configured.
    telephony: Arc<dyn Telephony>,
    /// Stripe, TipJar or the simulator (`PAYMENT_PROVIDER`).
    payments: Arc<dyn PaymentLinks>,
    /// Announces call changes to open dashboards.
    live: live::LiveEvents,
    /// Where calls are routed from while the database is away (SPEC §10).
    routing: Arc<outage::RoutingTable>,
    /// Voice webhooks kept on disk while the database is away, applied when it is back.
    spool: Arc<outage::VoiceSpool>,
    /// The outbound webhooks' HTTP client, built when first needed (`webhooks/endpoints.rs`).
    webhook_sender: Arc<std::sync::OnceLock<Option<djcalls_outbound::Sender>>>,
    /// Every DJ's public number, for `GET /api/djdash/dni` (`numbers/public_cache.rs`).
    public_numbers: Arc<numbers::PublicNumbers>,
    /// Signs and checks click tokens (`click_tokens.rs`).
    click_key: Arc<click_tokens::ClickKey>,
    /// DNI answers per DJ not yet written (`reports/shown.rs`).
    numbers_shown: Arc<reports::shown::ShownCounter>,
    /// Projects accepted `incoming` deliveries into their calls (`projection.rs`).
    projector: Arc<projection::Projector>,
}

impl App {
    pub fn new(
        store: Store,
        settings: Settings,
        clock: Arc<dyn Clock>,
        telephony: Arc<dyn Telephony>,
        payments: Arc<dyn PaymentLinks>,
    ) -> App {
        let spool = Arc::new(outage::VoiceSpool::new(&settings.spool_dir));
        // SQLite: only this process changes numbers. PostgreSQL: trusted once the relay listens.
        let public_numbers = Arc::new(numbers::PublicNumbers::new(!store.is_shared()));
        let click_key = Arc::new(click_tokens::ClickKey::derive(&settings));
        // The funnel summaries count conversations by this process's threshold.
        store.keep_funnel_for(settings.followup_min_talk_secs);
        App {
            public_numbers,
            click_key,
            store,
            routing: Arc::default(),
            spool,
            settings: Arc::new(settings),
            clock,
            telephony,
            payments,
            live: live::LiveEvents::default(),
            webhook_sender: Arc::default(),
            numbers_shown: Arc::default(),
            projector: Arc::default(),
        }
    }

    /// The app's clock (a fixed one in tests), as stored instants are written.
    pub fn now(&self) -> djcalls_store::DbTime {
        djcalls_store::DbTime(self.clock.now())
    }
}

/// The stored records use cases hand to their callers.
pub mod records {
    pub use djcalls_store::DbTime;
    pub use djcalls_store::analytics::TopDj;
    pub use djcalls_store::calls::{CallPatch, CallRecord};
    pub use djcalls_store::contacts::ContactRecord;
    pub use djcalls_store::jobs::Job;
    pub use djcalls_store::messages::{Message, OptOut};
    pub use djcalls_store::payments::{ForeignCurrencyPayment, PendingRefund};
    pub use djcalls_store::profiles::Profile;
    pub use djcalls_store::webhooks::{WebhookDelivery, WebhookEndpoint};
}
