//! A contact's JSON (SPEC §14).

use djcalls_app::records::ContactRecord;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// A contact (SPEC §14), in the call JSON's convention: snake_case, E.164, RFC 3339, cents.
#[derive(Serialize, ToSchema)]
pub struct ContactJson {
    pub id: String,
    pub dj_profile_id: String,
    pub phone: String,
    pub name: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_call_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_call_at: Option<Timestamp>,
    pub calls_count: i64,
    pub answered_count: i64,
    /// The newest call's event type (set by a person, or later by call insights).
    pub latest_event_type: Option<String>,
    /// The event date insights extract (issue 11); `null` until calls carry one.
    #[schema(format = Date)]
    pub latest_event_date: Option<String>,
    /// Net of refunds, platform currency only, as §6 counts revenue.
    pub payments_cents: i64,
    pub paid_calls: i64,
    pub opted_out: bool,
    pub texts_count: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_text_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<ContactRecord> for ContactJson {
    fn from(c: ContactRecord) -> Self {
        ContactJson {
            id: c.id.to_string(),
            dj_profile_id: c.dj_profile_id.to_string(),
            phone: c.phone,
            name: c.name,
            first_call_at: c.first_call_at.map(|t| t.0),
            last_call_at: c.last_call_at.map(|t| t.0),
            calls_count: c.calls_count,
            answered_count: c.answered_count,
            latest_event_type: c.latest_event_type,
            latest_event_date: None,
            payments_cents: c.payments_cents,
            paid_calls: c.paid_calls,
            opted_out: c.opted_out,
            texts_count: c.texts_count,
            last_text_at: c.last_text_at.map(|t| t.0),
            created_at: c.created_at.0,
        }
    }
}
