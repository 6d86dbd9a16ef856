//! The analytics figures as pages show them: each carries the API's field name and raw JSON
//! value (`data-metric`, `data-value`) next to a text formatted for people, and calls per day
//! as an inline SVG bar chart.

use super::chart::BarChart;
use djcalls_domain::analytics::Analytics;
use serde_json::Value;

/// One figure: `key` is the API's field path (`leadScoreBreakdown.hot`), `raw` its JSON text.
pub struct Metric {
    pub key: String,
    pub raw: String,
    pub label: String,
    pub shown: String,
}

#[derive(Clone, Copy)]
enum Fmt {
    Count,
    Percent,
    Dollars,
    Seconds,
}

/// A titled group of figures (one card).
pub struct Card {
    pub id: &'static str,
    pub title: &'static str,
    pub metrics: Vec<Metric>,
}

/// `(API field, label, format)`.
type Field = (&'static str, &'static str, Fmt);

const CARDS: &[(&str, &str, &[Field])] = &[
    (
        "calls",
        "Calls",
        &[
            ("totalCalls", "Total calls", Fmt::Count),
            ("answeredCalls", "Answered", Fmt::Count),
            ("missedCalls", "Missed", Fmt::Count),
            ("voicemails", "Voicemails", Fmt::Count),
            ("answerRate", "Answer rate", Fmt::Percent),
            ("avgCallDuration", "Average duration", Fmt::Seconds),
        ],
    ),
    (
        "bookings",
        "Bookings",
        &[
            ("bookedCalls", "Booked", Fmt::Count),
            ("conversionRate", "Conversion", Fmt::Percent),
        ],
    ),
    (
        "revenue",
        "Revenue",
        &[
            ("totalRevenue", "Total revenue", Fmt::Dollars),
            ("platformCut", "Platform share", Fmt::Dollars),
            ("djRevenue", "DJ share", Fmt::Dollars),
        ],
    ),
    (
        "followup",
        "Follow-up",
        &[
            ("tipjarLinksSent", "Payment links sent", Fmt::Count),
            ("tipjarPaymentsReceived", "Payments received", Fmt::Count),
            ("missedCallTextsSent", "Missed-call texts sent", Fmt::Count),
            (
                "missedCallTextPayments",
                "Paid after a missed-call text",
                Fmt::Count,
            ),
        ],
    ),
    (
        "recordings",
        "Recordings",
        &[
            ("recordingsCount", "Recordings", Fmt::Count),
            ("transcriptionsCount", "Transcriptions", Fmt::Count),
            (
                "transcriptionSuccessRate",
                "Transcription rate",
                Fmt::Percent,
            ),
        ],
    ),
];

fn format(value: &Value, fmt: Fmt) -> String {
    let n = value.as_f64().unwrap_or(0.0);
    match fmt {
        Fmt::Count => grouped(value.as_i64().unwrap_or(n as i64)),
        Fmt::Percent => format!("{n:.1}%"),
        Fmt::Dollars => {
            let cents = (n * 100.0).round() as i64;
            let sign = if cents < 0 { "-" } else { "" };
            format!(
                "{sign}${}.{:02}",
                grouped(cents.abs() / 100),
                cents.abs() % 100
            )
        }
        Fmt::Seconds => {
            let s = n as i64;
            if s >= 60 {
                format!("{}m {:02}s", s / 60, s % 60)
            } else {
                format!("{s}s")
            }
        }
    }
}

/// `n` with thousands separated by commas: 1,234,567.
pub(super) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn metric(json: &Value, key: &str, label: &str, fmt: Fmt) -> Metric {
    let value = key.split('.').fold(json, |v, k| &v[k]);
    Metric {
        key: key.to_string(),
        raw: value.to_string(),
        label: label.to_string(),
        shown: format(value, fmt),
    }
}

/// The cards, then the lead-score and event-type breakdowns.
pub struct Figures {
    pub cards: Vec<Card>,
    pub lead_scores: Vec<Metric>,
    pub event_types: Vec<Metric>,
    /// Calls per day, then revenue per day.
    pub charts: [BarChart; 2],
}

impl Figures {
    pub fn of(analytics: &Analytics) -> Figures {
        let json = serde_json::to_value(analytics).unwrap_or(Value::Null);
        let cards = CARDS
            .iter()
            .map(|(id, title, fields)| Card {
                id,
                title,
                metrics: fields
                    .iter()
                    .map(|(k, l, f)| metric(&json, k, l, *f))
                    .collect(),
            })
            .collect();
        let lead_scores = ["hot", "warm", "cold"]
            .iter()
            .map(|s| metric(&json, &format!("leadScoreBreakdown.{s}"), s, Fmt::Count))
            .collect();
        let event_types = analytics
            .event_type_breakdown
            .keys()
            .map(|k| {
                let mut m = metric(&json["eventTypeBreakdown"], k, k, Fmt::Count);
                m.key = format!("eventTypeBreakdown.{k}");
                m
            })
            .collect();
        Figures {
            cards,
            lead_scores,
            event_types,
            charts: [
                BarChart::calls(&analytics.calls_by_day),
                BarChart::revenue(&analytics.calls_by_day),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(
            format(&serde_json::json!(1234.5), Fmt::Dollars),
            "$1,234.50"
        );
        assert_eq!(format(&serde_json::json!(30.0), Fmt::Percent), "30.0%");
        assert_eq!(format(&serde_json::json!(125), Fmt::Seconds), "2m 05s");
    }
}
