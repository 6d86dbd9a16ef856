//! Scoring `analyse` against a labelled corpus file (shared by `tests/corpus.rs` and
//! `benches/corpus.rs`).

use djcalls_insights::{Insights, analyse};
use serde::Deserialize;

/// One labelled transcript: the call's local date and what a person read in it.
#[derive(Deserialize)]
pub struct Case {
    pub id: String,
    pub call_date: jiff::civil::Date,
    pub transcript: String,
    pub language: String,
    pub event_type: Option<String>,
    pub event_date: Option<String>,
    pub guest_count: Option<u32>,
    pub budget_cents: Option<i64>,
    pub lead_score: String,
}

pub const FIELDS: [&str; 6] = [
    "event_type",
    "event_date",
    "guest_count",
    "budget_cents",
    "lead_score",
    "language",
];

pub fn load(name: &str) -> Vec<Case> {
    let path = format!("{}/corpus/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (expected, got) of each field, as text.
pub fn compare(case: &Case, got: &Insights) -> [(String, String); 6] {
    let show = |v: Option<String>| v.unwrap_or_else(|| "null".to_string());
    [
        (
            show(case.event_type.clone()),
            show(got.event_type.map(|t| t.as_str().to_string())),
        ),
        (
            show(case.event_date.clone()),
            show(got.event_date.map(|d| d.to_string())),
        ),
        (
            show(case.guest_count.map(|n| n.to_string())),
            show(got.guest_count.map(|n| n.to_string())),
        ),
        (
            show(case.budget_cents.map(|n| n.to_string())),
            show(got.budget_cents.map(|n| n.to_string())),
        ),
        (case.lead_score.clone(), got.lead_score.as_str().to_string()),
        (
            case.language.clone(),
            serde_json::to_value(got.language)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ),
    ]
}

/// Share of cases right, per field of [`FIELDS`], and the misses as lines.
pub fn accuracy(cases: &[Case]) -> ([f64; 6], Vec<String>) {
    let mut right = [0usize; 6];
    let mut misses = Vec::new();
    for case in cases {
        let got = analyse(&case.transcript, case.call_date);
        for (k, (expected, actual)) in compare(case, &got).iter().enumerate() {
            if expected == actual {
                right[k] += 1;
            } else {
                misses.push(format!(
                    "{} {}: expected {expected}, got {actual} | {}",
                    case.id, FIELDS[k], case.transcript
                ));
            }
        }
    }
    let n = cases.len().max(1) as f64;
    (right.map(|r| r as f64 / n), misses)
}
