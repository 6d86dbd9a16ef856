//! Guest count and budget.

use crate::numbers::{Number, number_at};
use crate::text::Doc;

#[rustfmt::skip]
const GUEST_NOUNS: &[&str] = &[
    "guests", "guest", "people", "persons", "attendees", "kids", "children", "students",
    "employees", "adults", "heads", "folks", "invitados", "invitadas", "personas", "gente",
    "ninos", "estudiantes", "empleados", "adultos",
];

/// Words allowed between a number and its noun: "150 or so guests", "200 total people".
const BETWEEN: &[&str] = &[
    "or",
    "so",
    "total",
    "more",
    "invited",
    "de",
    "confirmed",
    "expected",
    "maybe",
];

const GUEST_CUES: &[&str] = &[
    "headcount",
    "expecting",
    "esperamos",
    "esperando",
    "seremos",
    "somos",
];

/// Words allowed between a cue and its number: "guest count is about 150".
#[rustfmt::skip]
const LEAD_IN: &[&str] = &[
    "is", "of", "about", "around", "like", "roughly", "maybe", "approximately", "close", "to",
    "es", "de", "como", "unos", "unas", "aproximadamente", "alrededor", "somewhere", "be",
    "will", "probably", "at", "least", "say", "no", "more", "than", "under", "up",
];

pub(crate) fn guest_count(doc: &Doc) -> Option<u32> {
    let n = doc.tokens.len();
    let mut i = 0;
    while i < n {
        if doc.get(i.wrapping_sub(1)) == "$" {
            i += 1;
            continue;
        }
        if let Some(num) = number_at(doc, i) {
            if is_guest_number(doc, &num) {
                return plausible_guests(num.value);
            }
            i = num.next.max(i + 1);
        } else {
            i += 1;
        }
    }
    cued_number(doc, |i| {
        GUEST_CUES.contains(&doc.get(i))
            || (doc.get(i) == "ser" && doc.get(i.wrapping_sub(1)) == "a")
            || (doc.get(i) == "count" && doc.is(i.wrapping_sub(1), &["guest", "head"]))
            || (doc.get(i) == "list" && doc.get(i.wrapping_sub(1)) == "guest")
    })
    .and_then(|num| plausible_guests(num.value))
}

fn is_guest_number(doc: &Doc, num: &Number) -> bool {
    for j in num.next..num.next + 3 {
        let w = doc.get(j);
        if GUEST_NOUNS.contains(&w) {
            return !num.money_word;
        }
        if !BETWEEN.contains(&w) {
            return false;
        }
    }
    false
}

fn plausible_guests(value: f64) -> Option<u32> {
    (value.fract() == 0.0 && (2.0..=5000.0).contains(&value)).then_some(value as u32)
}

/// The number shortly after a token `is_cue` accepts.
fn cued_number(doc: &Doc, is_cue: impl Fn(usize) -> bool) -> Option<Number> {
    (0..doc.tokens.len()).filter(|i| is_cue(*i)).find_map(|i| {
        let mut j = i + 1;
        for _ in 0..5 {
            if doc.get(j) == "$" {
                j += 1;
            }
            if let Some(num) = number_at(doc, j) {
                return Some(num);
            }
            if !LEAD_IN.contains(&doc.get(j)) {
                return None;
            }
            j += 1;
        }
        None
    })
}

const MONEY_NOUNS: &[&str] = &["dollars", "dollar", "bucks", "dolares", "dlls", "usd"];
const PER_HOUR: &[&str] = &["hour", "hr", "hora"];
const BUDGET_CUES: &[&str] = &[
    "budget",
    "budgeted",
    "presupuesto",
    "spend",
    "gastar",
    "afford",
];

/// The caller's budget in cents: "$1,500", "two grand", "a budget of about 1200",
/// "mil quinientos dólares". A range gives its upper end; a per-hour figure is a price, not
/// a budget.
pub(crate) fn budget_cents(doc: &Doc) -> Option<i64> {
    let cued = cued_number(doc, |i| BUDGET_CUES.contains(&doc.get(i)))
        .filter(|num| !per_hour(doc, num.next) && num.value >= 50.0);
    let amount = cued.or_else(|| first_amount(doc))?;
    let value = upper_end(doc, &amount).unwrap_or(amount.value);
    (50.0..=1_000_000.0)
        .contains(&value)
        .then(|| (value * 100.0).round() as i64)
}

fn first_amount(doc: &Doc) -> Option<Number> {
    let n = doc.tokens.len();
    let mut i = 0;
    while i < n {
        let dollar = doc.get(i) == "$";
        let at = if dollar { i + 1 } else { i };
        if let Some(num) = number_at(doc, at) {
            let money = dollar
                || num.money_word
                || MONEY_NOUNS.contains(&doc.get(num.next))
                || for_the_music(doc, num.next);
            if money && !per_hour(doc, num.next) && !GUEST_NOUNS.contains(&doc.get(num.next)) {
                return Some(num);
            }
            i = num.next.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// "three thousand for the DJ", "1500 on music".
fn for_the_music(doc: &Doc, next: usize) -> bool {
    let at = if doc.get(next + 1) == "the" {
        next + 2
    } else {
        next + 1
    };
    doc.is(next, &["for", "on", "para"])
        && doc.is(at, &["dj", "music", "entertainment", "djs", "musica", "el"])
}

/// "a flat 150 an hour", "$200 per hour", "150 la hora".
fn per_hour(doc: &Doc, next: usize) -> bool {
    let next = if MONEY_NOUNS.contains(&doc.get(next)) {
        next + 1
    } else {
        next
    };
    doc.is(next, &["an", "per", "a", "la", "por", "the"]) && PER_HOUR.contains(&doc.get(next + 1))
}

/// "1,000 to 1,500 dollars", "$1000-$1500", "entre mil y mil quinientos".
fn upper_end(doc: &Doc, low: &Number) -> Option<f64> {
    let mut j = low.next;
    if MONEY_NOUNS.contains(&doc.get(j)) {
        j += 1;
    }
    if !doc.is(j, &["to", "or", "and", "a", "y", "hasta"]) {
        return None;
    }
    j += 1;
    if doc.get(j) == "$" {
        j += 1;
    }
    let high = number_at(doc, j)?;
    let high = if high.value < 100.0 && low.value >= 1000.0 && high.value * 1000.0 > low.value {
        high.value * 1000.0
    } else {
        high.value
    };
    (high > low.value && high <= low.value * 5.0).then_some(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guests(t: &str) -> Option<u32> {
        guest_count(&Doc::new(t))
    }

    fn budget(t: &str) -> Option<i64> {
        budget_cents(&Doc::new(t))
    }

    #[test]
    fn guests_in_english_and_spanish() {
        assert_eq!(guests("about 150 guests"), Some(150));
        assert_eq!(guests("a hundred and fifty people"), Some(150));
        assert_eq!(guests("somewhere between 100 and 150 people"), Some(150));
        assert_eq!(guests("ciento cincuenta invitados"), Some(150));
        assert_eq!(guests("the guest count is around 200"), Some(200));
        assert_eq!(guests("$150 people"), None);
        assert_eq!(guests("we have a budget of 1500"), None);
    }

    #[test]
    fn budgets() {
        assert_eq!(budget("around two grand"), Some(200_000));
        assert_eq!(budget("we have $1,500"), Some(150_000));
        assert_eq!(budget("budget is about 1200"), Some(120_000));
        assert_eq!(budget("between 1,000 and 1,500 dollars"), Some(150_000));
        assert_eq!(budget("mil quinientos dólares"), Some(150_000));
        assert_eq!(budget("is it $150 an hour"), None);
        assert_eq!(budget("150 guests"), None);
    }
}
