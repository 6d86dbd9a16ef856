//! The two conversion job kinds and what each sends.

use crate::App;
use crate::jobs::{JobKind, JobOutcome};
use djcalls_conversions::{Ga4Event, Ga4EventName, MetaPurchase, SendError, hashed_phone};
use djcalls_domain::{Actor, CallId};
use djcalls_store::conversions::ConversionFacts;
use djcalls_store::jobs::Job;
use djcalls_store::payments::{LedgerKind, LedgerRow};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use uuid::Uuid;

/// A ledger row as a conversion job's payload: what it was, never the caller's number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerConversion {
    /// The ledger row (`payments.id`): the payment's id is GA4's `transaction_id` and Meta's
    /// `event_id`.
    pub ledger_id: Uuid,
    pub refund: bool,
    pub call_id: Uuid,
    pub provider: String,
    pub provider_payment_id: String,
    /// Whole cents; negative for a refund.
    pub amount_cents: i64,
    pub currency: String,
    /// When the row was written, microseconds since the epoch.
    pub at_micros: i64,
}

impl LedgerConversion {
    pub fn of(row: &LedgerRow) -> LedgerConversion {
        LedgerConversion {
            ledger_id: row.id,
            refund: row.kind == LedgerKind::Refund,
            call_id: row.call_id.0,
            provider: row.provider.clone(),
            provider_payment_id: row.provider_payment_id.clone(),
            amount_cents: row.amount.0,
            currency: row.currency.clone(),
            at_micros: row.at.0.as_microsecond(),
        }
    }
}

/// A GA4 `purchase` (payment) or `refund` (refund) of one ledger row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ga4Conversion(pub LedgerConversion);

/// A Meta `Purchase` of one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MetaConversion(pub LedgerConversion);

/// Attempts before a conversion is kept as dead: with the runner's 30 s doubling backoff
/// (capped at an hour) the last runs about eight hours after the first, inside GA4's
/// 72-hour window for a timestamped event and Meta's seven days.
const MAX_ATTEMPTS: i32 = 12;

impl JobKind for Ga4Conversion {
    const KIND: &'static str = "ga4_conversion";
    const MAX_ATTEMPTS: i32 = MAX_ATTEMPTS;

    fn dedupe_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.0.ledger_id)
    }

    async fn run(self, app: &App, _job: &Job) -> JobOutcome {
        let Some(config) = app.settings.ad_conversions.ga4.as_ref() else {
            return JobOutcome::Done;
        };
        let c = &self.0;
        let facts = match facts(app, c).await {
            Ok(facts) => facts,
            Err(outcome) => return outcome,
        };
        // Calls without a click have no GA4 visitor: nothing to send.
        let Some(client_id) = visitor_id(&facts) else {
            return JobOutcome::Done;
        };
        let transaction_id = if c.refund {
            match facts.payment_id {
                Some(payment) => payment,
                None => {
                    return JobOutcome::Failed("the refunded payment is not in the ledger".into());
                }
            }
        } else {
            c.ledger_id
        };
        let event = Ga4Event {
            name: if c.refund {
                Ga4EventName::Refund
            } else {
                Ga4EventName::Purchase
            },
            client_id,
            transaction_id: transaction_id.to_string(),
            value_cents: c.amount_cents.abs(),
            currency: c.currency.clone(),
            timestamp_micros: c.at_micros,
        };
        outcome(Self::KIND, event.send(http(), config).await)
    }
}

impl JobKind for MetaConversion {
    const KIND: &'static str = "meta_conversion";
    const MAX_ATTEMPTS: i32 = MAX_ATTEMPTS;

    fn dedupe_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.0.ledger_id)
    }

    async fn run(self, app: &App, _job: &Job) -> JobOutcome {
        let Some(config) = app.settings.ad_conversions.meta.as_ref() else {
            return JobOutcome::Done;
        };
        let c = &self.0;
        let facts = match facts(app, c).await {
            Ok(facts) => facts,
            Err(outcome) => return outcome,
        };
        // Meta matches a phone-call conversion by the caller's number; without one, nothing.
        let Some(phone) = facts.caller_number.as_deref() else {
            return JobOutcome::Done;
        };
        let event = MetaPurchase {
            event_id: c.ledger_id.to_string(),
            event_time: c.at_micros.div_euclid(1_000_000),
            phone_hash: hashed_phone(phone),
            value_cents: c.amount_cents,
            currency: c.currency.clone(),
        };
        outcome(Self::KIND, event.send(http(), config).await)
    }
}

/// The process's one HTTP client for conversions.
fn http() -> &'static djcalls_conversions::HttpClient {
    static CLIENT: OnceLock<djcalls_conversions::HttpClient> = OnceLock::new();
    CLIENT.get_or_init(djcalls_conversions::http_client)
}

async fn facts(app: &App, c: &LedgerConversion) -> Result<ConversionFacts, JobOutcome> {
    match app
        .store
        .conversion_facts(
            &Actor::System,
            CallId(c.call_id),
            &c.provider,
            &c.provider_payment_id,
        )
        .await
    {
        Ok(Some(facts)) => Ok(facts),
        Ok(None) => Err(JobOutcome::Failed("the call is not stored".into())),
        Err(e) => Err(JobOutcome::Retry(format!("reading the call: {e}"))),
    }
}

/// The click's visitor id from the call's attribution, if the call came after a click.
fn visitor_id(facts: &ConversionFacts) -> Option<String> {
    let attribution: serde_json::Value =
        serde_json::from_str(facts.attribution.as_deref()?).ok()?;
    let visitor = attribution.get("visitor_id")?.as_str()?.trim();
    (!visitor.is_empty()).then(|| visitor.to_string())
}

fn outcome(kind: &'static str, sent: Result<(), SendError>) -> JobOutcome {
    match sent {
        Ok(()) => {
            metrics::counter!("djcalls_ad_conversions_sent_total", "kind" => kind).increment(1);
            JobOutcome::Done
        }
        Err(e) if e.is_transient() => JobOutcome::Retry(e.to_string()),
        Err(e) => JobOutcome::Failed(e.to_string()),
    }
}
