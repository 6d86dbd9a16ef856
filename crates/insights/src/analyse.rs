//! [`analyse`]: every field of SPEC §12's insights from one transcript.

use crate::insights::{EventType, Insights};
use crate::intent::NotProspect;
use crate::text::Doc;
use crate::{dates, event, intent, language, quantities, score, venue};
use jiff::civil::Date;

/// Most keywords kept.
const MAX_KEYWORDS: usize = 10;

/// Only this much of a transcript is read (SPEC §12's cap per call): an enormous one costs
/// bounded time and never fails the call.
pub const MAX_TRANSCRIPT_BYTES: usize = 64 * 1024;

/// Reads `transcript` (already redacted) of a call made on `call_local_date` (the call's
/// date in the DJ's time zone).
pub fn analyse(transcript: &str, call_local_date: Date) -> Insights {
    let transcript = capped(transcript);
    let doc = Doc::new(transcript);
    let language = language::detect(&doc);
    let asks = intent::detect(&doc);
    let (event_type, event_words) = event::detect(&doc);
    let event_date = dates::event_date(&doc, call_local_date, language);
    // A caller who gives an event date is a prospect whatever else they mention (a
    // marketing manager booking the company party).
    let not_prospect = match asks.not_prospect {
        Some(NotProspect::SalesPitch) if event_date.is_some() => None,
        other => other,
    };
    let prospect = not_prospect.is_none();
    let (lead_score, score_reasons) =
        score::lead_score(not_prospect, event_date, &asks, call_local_date);
    let event_type = event_type.filter(|_| prospect);
    let guest_count = quantities::guest_count(&doc).filter(|_| prospect);
    let budget_cents = quantities::budget_cents(&doc).filter(|_| prospect);
    let venue = venue::venue(transcript).filter(|_| prospect);
    let mut keywords: Vec<String> = Vec::new();
    for w in event_words.into_iter().chain(asks.words.iter().cloned()) {
        if !keywords.contains(&w) && keywords.len() < MAX_KEYWORDS {
            keywords.push(w);
        }
    }
    let mut insights = Insights {
        language,
        event_type,
        event_date: event_date.filter(|_| prospect),
        guest_count,
        venue,
        budget_cents,
        asked_price: asks.price,
        asked_availability: asks.availability,
        booking_intent: asks.booking,
        lead_score,
        summary: String::new(),
        keywords,
        score_reasons,
    };
    insights.summary = summary(&insights, not_prospect);
    insights
}

/// The first [`MAX_TRANSCRIPT_BYTES`] of `text`, cut at a character boundary.
fn capped(text: &str) -> &str {
    if text.len() <= MAX_TRANSCRIPT_BYTES {
        return text;
    }
    let mut end = MAX_TRANSCRIPT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn summary(i: &Insights, not_prospect: Option<NotProspect>) -> String {
    if let Some(kind) = not_prospect {
        let reason = kind.reason();
        let mut s = reason[..1].to_uppercase();
        s.push_str(&reason[1..]);
        return format!("{s}: not a prospective client.");
    }
    let mut s = match i.event_type {
        Some(kind) => format!("{} inquiry", event_name(kind)),
        None => "Inquiry with no event named".to_string(),
    };
    if let Some(d) = i.event_date {
        s.push_str(&format!(" for {d}"));
    }
    if let Some(n) = i.guest_count {
        s.push_str(&format!(", about {n} guests"));
    }
    if let Some(v) = &i.venue {
        s.push_str(&format!(", at {v}"));
    }
    if let Some(c) = i.budget_cents {
        s.push_str(&format!(", budget ${}", c / 100));
    }
    let asked: Vec<&str> = [
        (i.asked_price, "price"),
        (i.asked_availability, "availability"),
    ]
    .iter()
    .filter(|(yes, _)| *yes)
    .map(|(_, what)| *what)
    .collect();
    if !asked.is_empty() {
        s.push_str(&format!("; asked about {}", asked.join(" and ")));
    }
    if i.booking_intent {
        s.push_str("; wants to book");
    }
    s.push('.');
    s
}

fn event_name(kind: EventType) -> &'static str {
    match kind {
        EventType::Wedding => "Wedding",
        EventType::Birthday => "Birthday",
        EventType::Corporate => "Corporate event",
        EventType::Quinceanera => "Quinceañera",
        EventType::SchoolDance => "School dance",
        EventType::Anniversary => "Anniversary",
        EventType::BarMitzvah => "Bar/bat mitzvah",
        EventType::HolidayParty => "Holiday party",
        EventType::Other => "Event",
    }
}

#[cfg(test)]
#[path = "analyse_tests.rs"]
mod tests;
