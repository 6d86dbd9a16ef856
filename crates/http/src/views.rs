//! JSON shapes of stored records: the seed's column names, E.164 numbers, RFC 3339 times,
//! dollars alongside integer cents.

use djcalls_app::admin::PendingRefundListing;
use djcalls_app::records::{CallRecord, ForeignCurrencyPayment, Job, OptOut, Profile};
use djcalls_domain::quality::CallQuality;
use djcalls_domain::transcript::TranscriptLine;
use djcalls_domain::{CallSource, CallStatus, Cents, LeadScore};
use djcalls_insights::Insights;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

mod contact;
mod message;
pub use contact::ContactJson;
pub use message::MessageJson;

#[derive(Serialize, ToSchema)]
pub struct CallJson {
    pub id: String,
    pub dj_profile_id: String,
    pub virtual_number: Option<String>,
    pub caller_number: Option<String>,
    pub caller_name: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: Timestamp,
    pub page_url: Option<String>,
    pub event_type: Option<String>,
    pub lead_score: LeadScore,
    pub is_booked: bool,
    pub call_duration_seconds: Option<i32>,
    pub call_status: CallStatus,
    pub call_sid: Option<String>,
    pub tipjar_link_sent: bool,
    pub tipjar_link: Option<String>,
    pub tipjar_payment_received: bool,
    /// Dollars, net of refunds; `null` until a payment arrives.
    pub tipjar_payment_amount: Option<f64>,
    pub tipjar_payment_amount_cents: i64,
    pub product_context: String,
    pub notes: Option<String>,
    pub source: CallSource,
    pub answered: bool,
    pub talk_seconds: Option<i32>,
    pub voicemail_left: bool,
    pub has_recording: bool,
    /// Our authenticated playback endpoint; never the provider's URL.
    pub recording_url: Option<String>,
    pub recording_duration_seconds: Option<i32>,
    pub transcription_status: Option<String>,
    pub transcription_text: Option<String>,
    /// The click that led to the call and how sure the match is (SPEC §7).
    #[schema(value_type = Option<Object>)]
    pub attribution: Option<serde_json::Value>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// What the call's transcript says (SPEC §12); `null` until there is a transcript.
    pub insights: Option<Insights>,
    /// How the call went, from Twilio Voice Insights (SPEC §12); `null` until read.
    pub quality: Option<CallQuality>,
    /// The conversation of an answered call, line by line in the order spoken (SPEC §12);
    /// absent when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub transcript: Vec<TranscriptLine>,
}

impl From<CallRecord> for CallJson {
    fn from(c: CallRecord) -> Self {
        let has_recording = c.recording_sid.is_some();
        CallJson {
            recording_url: has_recording.then(|| format!("/api/djdash/calls/{}/recording", c.id)),
            id: c.id.to_string(),
            dj_profile_id: c.dj_profile_id.to_string(),
            virtual_number: c.virtual_number,
            caller_number: c.caller_number,
            caller_name: c.caller_name,
            timestamp: c.timestamp.0,
            page_url: c.page_url,
            event_type: c.event_type,
            lead_score: c.lead_score,
            is_booked: c.is_booked,
            call_duration_seconds: c.call_duration_seconds,
            call_status: c.call_status,
            call_sid: c.call_sid.or(c.logged_call_sid),
            tipjar_link_sent: c.tipjar_link_sent,
            tipjar_link: c.tipjar_link,
            tipjar_payment_received: c.tipjar_payment_received,
            tipjar_payment_amount: c
                .tipjar_payment_received
                .then(|| Cents(c.tipjar_payment_amount_cents).as_dollars()),
            tipjar_payment_amount_cents: c.tipjar_payment_amount_cents,
            product_context: c.product_context,
            notes: c.notes,
            source: c.source,
            answered: c.answered,
            talk_seconds: c.talk_seconds,
            voicemail_left: c.voicemail_left,
            has_recording,
            recording_duration_seconds: c.recording_duration_seconds,
            transcription_status: c.transcription_status,
            transcription_text: c.transcription_text,
            attribution: c
                .attribution
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok()),
            created_at: c.created_at.0,
            updated_at: c.updated_at.0,
            insights: c
                .insights
                .as_deref()
                .and_then(|i| serde_json::from_str(i).ok()),
            quality: c.quality.quality(),
            transcript: c
                .transcript
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProfileJson {
    pub id: String,
    pub dj_name: String,
    pub dj_slug: String,
    pub is_published: bool,
    pub timezone: String,
    pub real_phone_number: Option<String>,
    pub product_context: &'static str,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Profile> for ProfileJson {
    fn from(p: Profile) -> Self {
        ProfileJson {
            id: p.id.to_string(),
            dj_name: p.dj_name,
            dj_slug: p.dj_slug,
            is_published: p.is_published,
            timezone: p.timezone,
            real_phone_number: p.real_phone_number,
            product_context: djcalls_domain::call::PRODUCT_CONTEXT,
            created_at: p.created_at.0,
            updated_at: p.updated_at.0,
        }
    }
}

/// A background job as admins see it (its payload stays inside: it may name a call).
#[derive(Serialize, ToSchema)]
pub struct JobJson {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    #[schema(value_type = String, format = DateTime)]
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    pub dj_profile_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Job> for JobJson {
    fn from(j: Job) -> Self {
        JobJson {
            id: j.id.to_string(),
            kind: j.kind,
            state: j.state.as_str().to_string(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at.0,
            last_error: j.last_error,
            dj_profile_id: j.dj_profile_id.map(|id| id.to_string()),
            created_at: j.created_at.0,
            updated_at: j.updated_at.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OptOutJson {
    pub phone_number: String,
    pub source: String,
    #[schema(value_type = String, format = DateTime)]
    pub opted_out_at: Timestamp,
}

impl From<OptOut> for OptOutJson {
    fn from(o: OptOut) -> Self {
        OptOutJson {
            phone_number: o.phone_number,
            source: o.source,
            opted_out_at: o.opted_out_at.0,
        }
    }
}

/// A payment kept aside because of its currency: the amount in that currency's minor unit.
#[derive(Serialize, ToSchema)]
pub struct ForeignCurrencyPaymentJson {
    pub call_id: String,
    pub dj_profile_id: String,
    pub provider: String,
    pub provider_payment_id: String,
    pub amount_minor_units: i64,
    pub currency: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
}

impl From<ForeignCurrencyPayment> for ForeignCurrencyPaymentJson {
    fn from(p: ForeignCurrencyPayment) -> Self {
        ForeignCurrencyPaymentJson {
            call_id: p.call_id.to_string(),
            dj_profile_id: p.dj_profile_id.to_string(),
            provider: p.provider,
            provider_payment_id: p.provider_payment_id,
            amount_minor_units: p.amount_cents,
            currency: p.currency,
            received_at: p.received_at.0,
        }
    }
}

/// A refund waiting for its payment (`GET /api/djdash/admin/pending-refunds`).
#[derive(Serialize, ToSchema)]
pub struct PendingRefundJson {
    pub provider: String,
    pub provider_payment_id: String,
    pub refund_key: String,
    /// `cumulative_total` (Stripe: everything refunded so far) or `single` (TipJar: this refund).
    pub kind: &'static str,
    /// In the currency's minor unit (cents in the platform currency).
    pub amount_cents: i64,
    /// Dollars (the platform currency's major unit); `null` for another currency.
    pub amount: Option<f64>,
    pub currency: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    /// Seconds it has waited for its payment.
    pub age_seconds: i64,
    /// Waited longer than `stale_after_days`: the payment may never come; kept all the same.
    pub stale: bool,
}

impl From<PendingRefundListing> for PendingRefundJson {
    fn from(p: PendingRefundListing) -> Self {
        let r = p.refund;
        PendingRefundJson {
            provider: r.provider,
            provider_payment_id: r.provider_payment_id,
            refund_key: r.refund_key,
            kind: if r.cumulative {
                "cumulative_total"
            } else {
                "single"
            },
            amount: p
                .in_platform_currency
                .then(|| Cents(r.amount_cents).as_dollars()),
            amount_cents: r.amount_cents,
            currency: r.currency,
            received_at: r.received_at.0,
            age_seconds: p.age.as_secs(),
            stale: p.stale,
        }
    }
}
