//! The lead score from content (SPEC §12) and the reasons for it.

use crate::intent::{Asks, NotProspect};
use djcalls_domain::LeadScore;
use jiff::ToSpan;
use jiff::civil::Date;

/// How far ahead an event date still makes a hot lead.
const HORIZON_MONTHS: i32 = 18;

pub(crate) fn lead_score(
    not_prospect: Option<NotProspect>,
    event_date: Option<Date>,
    asks: &Asks,
    today: Date,
) -> (LeadScore, Vec<String>) {
    if let Some(kind) = not_prospect {
        return (
            LeadScore::Cold,
            vec![format!("{}: not a prospective client", kind.reason())],
        );
    }
    let horizon = today
        .checked_add(HORIZON_MONTHS.months())
        .unwrap_or(Date::MAX);
    let mut reasons = Vec::new();
    match event_date {
        Some(d) if d < today => {
            return (
                LeadScore::Cold,
                vec![format!("event date {d} is in the past")],
            );
        }
        Some(d) if d > horizon => {
            return (
                LeadScore::Cold,
                vec![format!("event date {d} is more than 18 months ahead")],
            );
        }
        Some(d) => reasons.push(format!("event date {d} is within 18 months")),
        None => reasons.push("no event date given".to_string()),
    }
    if asks.price {
        reasons.push("asked about price".to_string());
    }
    if asks.availability {
        reasons.push("asked about availability".to_string());
    }
    if asks.booking {
        reasons.push("wants to book".to_string());
    }
    let asked = asks.price || asks.availability || asks.booking;
    if !asked {
        reasons.push("no price, availability or booking question".to_string());
    }
    let score = if event_date.is_some() && asked {
        LeadScore::Hot
    } else {
        LeadScore::Warm
    };
    (score, reasons)
}
