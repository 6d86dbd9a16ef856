//! A text to or from a caller (SPEC §13, two-way texts).

use djcalls_app::records::Message;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MessageJson {
    pub id: String,
    /// `inbound` (the caller wrote) or `outbound` (we sent it).
    pub direction: String,
    /// Outbound: `followup` (after an answered call), `missed` (after a missed call), `reply`
    /// (the DJ's). Inbound: `lead`, or the keywords `opt_out`, `opt_in`, `help`.
    pub kind: String,
    pub body: Option<String>,
    /// Twilio's delivery state (`accepted`, `queued`, `sent`, `delivered`, `undelivered`,
    /// `failed`, `read`) of an outbound text; `received` for an inbound one.
    pub status: String,
    /// Twilio's error code of a failed delivery.
    pub error_code: Option<i32>,
    /// E.164.
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    /// The call it belongs to: the one it followed up, or the caller's latest call then.
    pub call_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When its delivery state last changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Message> for MessageJson {
    fn from(m: Message) -> Self {
        MessageJson {
            id: m.id.to_string(),
            direction: m.direction,
            kind: m.kind,
            body: m.body,
            status: m.status,
            error_code: m.error_code,
            from_number: m.from_number,
            to_number: m.to_number,
            call_id: m.call_id.map(|id| id.to_string()),
            created_at: m.created_at.0,
            updated_at: m.updated_at.0,
        }
    }
}
