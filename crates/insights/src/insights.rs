//! What [`crate::analyse`] returns (SPEC §12).

use djcalls_domain::LeadScore;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The language spoken (ISO 639-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Es,
}

/// The kind of event a caller is planning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EventType {
    Wedding,
    Birthday,
    Corporate,
    Quinceanera,
    SchoolDance,
    Anniversary,
    BarMitzvah,
    HolidayParty,
    Other,
}

impl EventType {
    /// The stored label (`wedding`, `school-dance`, …), as the call's `event_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Wedding => "wedding",
            EventType::Birthday => "birthday",
            EventType::Corporate => "corporate",
            EventType::Quinceanera => "quinceanera",
            EventType::SchoolDance => "school-dance",
            EventType::Anniversary => "anniversary",
            EventType::BarMitzvah => "bar-mitzvah",
            EventType::HolidayParty => "holiday-party",
            EventType::Other => "other",
        }
    }
}

/// Everything read from one call's transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insights {
    pub language: Language,
    pub event_type: Option<EventType>,
    /// `YYYY-MM-DD`, resolved against the call's local date.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub event_date: Option<Date>,
    pub guest_count: Option<u32>,
    pub venue: Option<String>,
    pub budget_cents: Option<i64>,
    pub asked_price: bool,
    pub asked_availability: bool,
    pub booking_intent: bool,
    /// `hot`, `warm` or `cold` (SPEC §12).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "hot"))]
    pub lead_score: LeadScore,
    /// One sentence.
    pub summary: String,
    pub keywords: Vec<String>,
    /// Why `lead_score` is what it is.
    pub score_reasons: Vec<String>,
}
