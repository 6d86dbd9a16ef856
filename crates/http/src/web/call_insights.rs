//! The call page's insights card (SPEC §12): what the transcript says, and why the lead score
//! is what it is; and the conversation itself, caller and DJ lines.

use super::rows::dollars;
use djcalls_domain::transcript::{Speaker, TranscriptLine};
use djcalls_insights::Insights;

pub struct InsightsCard {
    pub summary: String,
    /// Label and value of each fact found.
    pub facts: Vec<(&'static str, String)>,
    pub reasons: Vec<String>,
    pub keywords: String,
}

impl InsightsCard {
    /// The card for a call's stored insights JSON; `None` without (readable) insights.
    pub fn of(json: Option<&str>) -> Option<InsightsCard> {
        let i: Insights = serde_json::from_str(json?).ok()?;
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        let language = serde_json::to_value(i.language)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut facts = vec![("Language", language)];
        let optional = [
            ("Event", i.event_type.map(|t| t.as_str().to_string())),
            ("Event date", i.event_date.map(|d| d.to_string())),
            ("Guests", i.guest_count.map(|n| n.to_string())),
            ("Venue", i.venue.clone()),
            ("Budget", i.budget_cents.map(dollars)),
        ];
        facts.extend(
            optional
                .into_iter()
                .filter_map(|(label, v)| v.map(|v| (label, v))),
        );
        facts.push(("Asked the price", yes_no(i.asked_price)));
        facts.push(("Asked availability", yes_no(i.asked_availability)));
        facts.push(("Wants to book", yes_no(i.booking_intent)));
        facts.push(("Lead score", i.lead_score.as_str().to_string()));
        Some(InsightsCard {
            summary: i.summary,
            facts,
            reasons: i.score_reasons,
            keywords: i.keywords.join(", "),
        })
    }
}

/// One line of the conversation on the call page.
pub struct ConversationLine {
    /// `caller` or `dj` (the stored name, for styling and tests).
    pub speaker: &'static str,
    /// Who said it, for people.
    pub label: &'static str,
    pub text: String,
}

/// The conversation of a call's stored transcript JSON, in the order spoken; empty without.
pub fn conversation(json: Option<&str>) -> Vec<ConversationLine> {
    let lines: Vec<TranscriptLine> = json
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    lines
        .into_iter()
        .map(|line| ConversationLine {
            speaker: line.speaker.as_str(),
            label: match line.speaker {
                Speaker::Caller => "Caller",
                Speaker::Dj => "DJ",
            },
            text: line.text,
        })
        .collect()
}
