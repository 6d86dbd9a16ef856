//! The held-out half of the labelled corpus stays at or above 0.9 on event type, event date
//! and lead score (SPEC §12 targets). Timing is the benchmark's business, not this test's.

#[path = "../corpus/accuracy.rs"]
mod accuracy;

use accuracy::{FIELDS, accuracy, load};

#[test]
fn held_out_accuracy_meets_the_targets() {
    let cases = load("heldout");
    assert!(
        cases.len() >= 100,
        "the held-out half has {} cases",
        cases.len()
    );
    let (scores, misses) = accuracy(&cases);
    for (field, score) in FIELDS.iter().zip(scores) {
        if ["event_type", "event_date", "lead_score", "language"].contains(field) {
            assert!(
                score >= 0.9,
                "{field}: {score:.3} < 0.9\n{}",
                misses.join("\n")
            );
        }
    }
}

#[test]
fn the_corpus_is_large_and_covers_both_languages() {
    let all: Vec<_> = load("tune").into_iter().chain(load("heldout")).collect();
    assert!(all.len() >= 200);
    assert!(all.iter().filter(|c| c.language == "es").count() >= 40);
    assert!(all.iter().filter(|c| c.lead_score == "cold").count() >= 20);
}
