//! Redaction of card numbers, security codes and US social security numbers.
//!
//! A *run* is a sequence of digit units — an ASCII digit, or a digit spoken as a word
//! ("four", "oh", "cuatro") — where neighbouring units are separated by at most
//! [`MAX_GAP`] spaces or dashes (two written digits), or by at most
//! [`MAX_WORD_GAP`] spaces, dashes, commas, dots or colons (when a spoken digit is one of
//! them: "four, one, one, one"). A comma between written digits ends a run, so two phone
//! numbers in a list are not read as one long number. Every 13–19 unit
//! window of a run that passes the Luhn check is a card number; a 3–4 unit run shortly
//! after a cue ("CVV", "security code", "código de seguridad") is a security code; a
//! 9-digit run written `ddd-dd-dddd` (or any 9-unit run after "social security", "SSN",
//! "seguro social") is an SSN. Each becomes [`REDACTED`].

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use std::sync::OnceLock;

/// What replaces a redacted number.
pub const REDACTED: &str = "[redacted]";

/// Most spaces or dashes between two written digits of one run.
pub const MAX_GAP: usize = 2;

/// Most separator characters next to a spoken digit of one run.
pub const MAX_WORD_GAP: usize = 3;

/// How far (in bytes) after a cue word its number may start.
const CUE_REACH: usize = 40;

#[derive(Clone, Copy, Debug)]
struct Unit {
    digit: u8,
    start: usize,
    end: usize,
}

/// Replaces card numbers, security codes and SSNs in `text` with `[redacted]`.
pub fn redact(text: &str) -> String {
    let runs = digit_runs(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for run in &runs {
        spans.extend(card_spans(run));
        if is_written_ssn(text, run) {
            spans.push(span(run));
        }
    }
    for (cue_end, kind) in cue_ends(text) {
        let Some(run) = runs
            .iter()
            .find(|r| r[0].start >= cue_end && r[0].start - cue_end <= CUE_REACH)
        else {
            continue;
        };
        let fits = match kind {
            Cue::SecurityCode => (3..=4).contains(&run.len()),
            Cue::SocialSecurity => run.len() == 9,
        };
        if fits {
            spans.push(span(run));
        }
    }
    if spans.is_empty() {
        return text.to_string();
    }
    replace_spans(text, spans)
}

/// True when `digits` (each 0–9) pass the Luhn check.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn span(run: &[Unit]) -> (usize, usize) {
    (run[0].start, run[run.len() - 1].end)
}

/// The spans of `run` covered by a Luhn-valid window of 13–19 units, merged.
fn card_spans(run: &[Unit]) -> Vec<(usize, usize)> {
    if run.len() < 13 {
        return Vec::new();
    }
    let digits: Vec<u8> = run.iter().map(|u| u.digit).collect();
    let mut covered = vec![false; run.len()];
    for start in 0..run.len() {
        for len in 13..=19 {
            let end = start + len;
            if end > run.len() {
                break;
            }
            if luhn_valid(&digits[start..end]) {
                covered[start..end].iter_mut().for_each(|c| *c = true);
            }
        }
    }
    let mut spans = Vec::new();
    let mut i = 0;
    while i < run.len() {
        if covered[i] {
            let first = i;
            while i < run.len() && covered[i] {
                i += 1;
            }
            spans.push((run[first].start, run[i - 1].end));
        } else {
            i += 1;
        }
    }
    spans
}

/// `ddd-dd-dddd` or `ddd dd dddd` with a plausible area, group and serial.
fn is_written_ssn(text: &str, run: &[Unit]) -> bool {
    if run.len() != 9 {
        return false;
    }
    let (start, end) = span(run);
    let written = &text[start..end];
    let b = written.as_bytes();
    if b.len() != 11 || !(b[3] == b[6] && (b[3] == b'-' || b[3] == b' ')) {
        return false;
    }
    if !written
        .bytes()
        .enumerate()
        .all(|(i, c)| i == 3 || i == 6 || c.is_ascii_digit())
    {
        return false;
    }
    let area = &written[0..3];
    area != "000" && area != "666" && !area.starts_with('9') && &written[4..6] != "00"
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '-' | ',' | '.' | ':' | '\u{a0}')
}

fn digit_word(word: &str) -> Option<u8> {
    let lower = word.to_ascii_lowercase();
    let d = match lower.as_str() {
        "zero" | "oh" | "cero" => 0,
        "one" | "uno" => 1,
        "two" | "dos" => 2,
        "three" | "tres" => 3,
        "four" | "cuatro" => 4,
        "five" | "cinco" => 5,
        "six" | "seis" => 6,
        "seven" | "siete" => 7,
        "eight" | "ocho" => 8,
        "nine" | "nueve" => 9,
        _ => return None,
    };
    Some(d)
}

/// Every maximal run of digit units in `text`, in order.
fn digit_runs(text: &str) -> Vec<Vec<Unit>> {
    let mut runs: Vec<Vec<Unit>> = Vec::new();
    let mut current: Vec<Unit> = Vec::new();
    // Separator characters since the last unit, and whether all were spaces or dashes.
    let mut gap = 0usize;
    let mut plain_gap = true;
    let mut last_was_word = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let (digit, end, is_word) = if c.is_ascii_digit() {
            (Some(c as u8 - b'0'), i + 1, false)
        } else if c.is_alphanumeric() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() && !d.is_ascii_digit() {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            (digit_word(&text[i..end]), end, true)
        } else {
            if is_separator(c) {
                gap += 1;
                plain_gap &= matches!(c, ' ' | '-');
            } else {
                close(&mut runs, &mut current);
            }
            continue;
        };
        let Some(digit) = digit else {
            close(&mut runs, &mut current);
            gap = 0;
            plain_gap = true;
            continue;
        };
        let joins = if is_word || last_was_word {
            (1..=MAX_WORD_GAP).contains(&gap)
        } else {
            gap <= MAX_GAP && plain_gap
        };
        if !joins {
            close(&mut runs, &mut current);
        }
        current.push(Unit {
            digit,
            start: i,
            end,
        });
        last_was_word = is_word;
        gap = 0;
        plain_gap = true;
    }
    close(&mut runs, &mut current);
    runs
}

fn close(runs: &mut Vec<Vec<Unit>>, current: &mut Vec<Unit>) {
    if !current.is_empty() {
        runs.push(std::mem::take(current));
    }
}

#[derive(Clone, Copy)]
enum Cue {
    SecurityCode,
    SocialSecurity,
}

const SECURITY_CUES: &[&str] = &[
    "cvv",
    "cvc",
    "cvv2",
    "csc",
    "security code",
    "código de seguridad",
    "codigo de seguridad",
];
const SSN_CUES: &[&str] = &["social security", "ssn", "seguro social"];

fn cue_matcher() -> &'static AhoCorasick {
    static MATCHER: OnceLock<AhoCorasick> = OnceLock::new();
    MATCHER.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(SECURITY_CUES.iter().chain(SSN_CUES))
            .expect("the cue list is a valid Aho-Corasick automaton")
    })
}

fn cue_ends(text: &str) -> Vec<(usize, Cue)> {
    cue_matcher()
        .find_iter(text)
        .map(|m| {
            let kind = if m.pattern().as_usize() < SECURITY_CUES.len() {
                Cue::SecurityCode
            } else {
                Cue::SocialSecurity
            };
            (m.end(), kind)
        })
        .collect()
}

fn replace_spans(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
