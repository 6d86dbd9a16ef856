//! Property: after `redact`, no run of written digits (separated by at most two spaces or
//! dashes) holds a Luhn-valid window of 13–19 digits, and no spoken card number survives.

use djcalls_insights::{luhn_valid, redact};
use proptest::prelude::*;

/// Appends the Luhn check digit to `body`.
fn with_check_digit(mut body: Vec<u8>) -> Vec<u8> {
    let check = (0..10u8)
        .find(|d| {
            let mut all = body.clone();
            all.push(*d);
            luhn_valid(&all)
        })
        .expect("one check digit always fits");
    body.push(check);
    body
}

fn card() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..10, 12..=18).prop_map(with_check_digit)
}

fn written(digits: &[u8], separator: &str, group: usize) -> String {
    digits
        .chunks(group)
        .map(|c| c.iter().map(|d| char::from(b'0' + d)).collect::<String>())
        .collect::<Vec<_>>()
        .join(separator)
}

const SPOKEN: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "hi",
            "my",
            "card",
            "is",
            "the",
            "wedding",
            "June",
            "$1,500",
            "guests",
            ",",
            ".",
            "call",
            "555-867-5309",
            "número",
            "CVV",
            "-",
            "  ",
        ])
        .prop_map(str::to_string),
        "[0-9]{1,20}",
        "[0-9 -]{1,30}",
        (
            card(),
            prop::sample::select(vec!["", " ", "-", "  ", " - "]),
            1usize..=5
        )
            .prop_map(|(c, sep, group)| written(&c, sep, group)),
    ]
}

/// Runs of ASCII digits with at most two spaces or dashes between neighbours.
fn written_runs(text: &str) -> Vec<Vec<u8>> {
    let mut runs = vec![Vec::new()];
    let mut gap = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if gap > 2 {
                runs.push(Vec::new());
            }
            runs.last_mut().expect("never empty").push(c as u8 - b'0');
            gap = 0;
        } else if c == ' ' || c == '-' {
            gap += 1;
        } else {
            runs.push(Vec::new());
            gap = 0;
        }
    }
    runs
}

fn holds_card(run: &[u8]) -> bool {
    (13..=19).any(|len| run.windows(len).any(luhn_valid))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_luhn_valid_run_survives(parts in prop::collection::vec(fragment(), 0..12)) {
        let text = parts.join(" ");
        let out = redact(&text);
        for run in written_runs(&out) {
            prop_assert!(!holds_card(&run), "{text:?} → {out:?}");
        }
    }

    #[test]
    fn spoken_cards_do_not_survive(c in card(), sep in prop::sample::select(vec![" ", ", ", "-"])) {
        let spoken: Vec<&str> = c.iter().map(|d| SPOKEN[usize::from(*d)]).collect();
        let text = format!("my card is {} thanks", spoken.join(sep));
        prop_assert_eq!(redact(&text), "my card is [redacted] thanks");
    }

    #[test]
    fn text_without_digits_is_unchanged(text in "[a-zA-Z ,.?!ñáé]{0,80}") {
        prop_assume!(!text.to_lowercase().contains("ssn"));
        prop_assert_eq!(redact(&text), text);
    }
}
