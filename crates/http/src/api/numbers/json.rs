//! JSON shapes of virtual numbers: the whole record for those entitled to it, the public part
//! for everyone else.

use djcalls_app::numbers::NumberRecord;
use djcalls_app::records::DbTime;
use djcalls_domain::{DjProfileId, PhoneNumber};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// A number record for those entitled to it.
#[derive(Serialize, ToSchema)]
pub struct NumberJson {
    #[schema(format = Uuid)]
    pub id: String,
    /// E.164.
    pub virtual_number: String,
    /// For people: `(415) 555-0123`.
    pub display_number: String,
    #[schema(format = Uuid)]
    pub dj_profile_id: Option<String>,
    pub real_phone_number: Option<String>,
    pub twilio_phone_number_sid: Option<String>,
    pub is_active: bool,
    /// `available`, `assigned`, `cooling` or `released`.
    pub state: String,
    pub area_code: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub assigned_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub released_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub cooling_until: Option<Timestamp>,
    pub product_context: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<NumberRecord> for NumberJson {
    fn from(n: NumberRecord) -> Self {
        NumberJson {
            id: n.id.to_string(),
            display_number: display(&n.virtual_number),
            virtual_number: n.virtual_number,
            dj_profile_id: n.dj_profile_id.map(|id| id.to_string()),
            real_phone_number: n.real_phone_number,
            twilio_phone_number_sid: n.twilio_phone_number_sid,
            is_active: n.is_active,
            state: n.state,
            area_code: n.area_code,
            assigned_at: n.assigned_at.map(time),
            released_at: n.released_at.map(time),
            cooling_until: n.cooling_until.map(time),
            product_context: n.product_context,
            created_at: n.created_at.0,
            updated_at: n.updated_at.0,
        }
    }
}

fn time(t: DbTime) -> Timestamp {
    t.0
}

fn display(e164: &str) -> String {
    PhoneNumber::from_trusted_e164(e164).display()
}

/// What anyone may see of a DJ's number. (`deny_unknown_fields` only tells the document that
/// nothing else is in it, so a whole record never reads as this.)
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicNumberJson {
    pub virtual_number: String,
    pub display_number: String,
    #[schema(format = Uuid)]
    pub dj_profile_id: String,
}

impl PublicNumberJson {
    pub fn new(dj: DjProfileId, number: &PhoneNumber) -> PublicNumberJson {
        PublicNumberJson {
            virtual_number: number.as_str().to_string(),
            display_number: number.display(),
            dj_profile_id: dj.to_string(),
        }
    }
}

/// `{"success": true, "virtualNumber": …}` with the whole record.
#[derive(Serialize, ToSchema)]
pub struct NumberEnvelope {
    pub success: bool,
    #[serde(rename = "virtualNumber")]
    pub virtual_number: NumberJson,
}

impl NumberEnvelope {
    pub fn of(record: NumberRecord) -> axum::Json<NumberEnvelope> {
        axum::Json(NumberEnvelope {
            success: true,
            virtual_number: NumberJson::from(record),
        })
    }
}

/// The whole record (the DJ, admins, the service) or the public part (everyone else).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum NumberLookupJson {
    Full(Box<NumberJson>),
    Public(PublicNumberJson),
}

/// `{"success": true, "virtualNumber": …}` for a lookup.
#[derive(Serialize, ToSchema)]
pub struct NumberLookup {
    pub success: bool,
    #[serde(rename = "virtualNumber")]
    pub virtual_number: NumberLookupJson,
}
