//! The event's date, resolved against the call's local date: "June 14th" is the next
//! June 14 (today included), "the 14th of June", "14 de junio", "6/14" (day first in
//! Spanish, or when the first number cannot be a month), "New Year's Eve", weekdays.
//!
//! Weekdays: "Saturday", "this Saturday", "this coming Saturday", "el sábado", "el próximo
//! sábado", "el sábado que viene" are the first Saturday after today ("this"/"este": today
//! included); "next Saturday" is the Saturday of next week (Monday to Sunday); "last
//! Saturday", "el sábado pasado" the one before today. A weekday near "call me back",
//! "until", "after" (or Spanish equivalents) is about the call, not the event, and ignored.

use crate::insights::Language;
use crate::numbers::day_at;
use crate::text::Doc;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

fn month(w: &str) -> Option<i8> {
    let m = match w {
        "january" | "jan" | "enero" => 1,
        "february" | "feb" | "febrero" => 2,
        "march" | "marzo" => 3,
        "april" | "apr" | "abril" => 4,
        "may" | "mayo" => 5,
        "june" | "jun" | "junio" => 6,
        "july" | "jul" | "julio" => 7,
        "august" | "aug" | "agosto" => 8,
        "september" | "sept" | "sep" | "septiembre" | "setiembre" => 9,
        "october" | "oct" | "octubre" => 10,
        "november" | "nov" | "noviembre" => 11,
        "december" | "dec" | "diciembre" => 12,
        _ => return None,
    };
    Some(m)
}

fn weekday(w: &str) -> Option<Weekday> {
    let d = match w {
        "monday" | "lunes" => Weekday::Monday,
        "tuesday" | "martes" => Weekday::Tuesday,
        "wednesday" | "miercoles" => Weekday::Wednesday,
        "thursday" | "jueves" => Weekday::Thursday,
        "friday" | "viernes" => Weekday::Friday,
        "saturday" | "sabado" => Weekday::Saturday,
        "sunday" | "domingo" => Weekday::Sunday,
        _ => return None,
    };
    Some(d)
}

/// The first date the caller gives for the event, if any.
pub(crate) fn event_date(doc: &Doc, today: Date, language: Language) -> Option<Date> {
    let n = doc.tokens.len();
    (0..n)
        .find_map(|i| month_day(doc, i, today))
        .or_else(|| (0..n).find_map(|i| numeric(doc.get(i), today, language)))
        .or_else(|| (0..n).find_map(|i| holiday(doc, i, today)))
        .or_else(|| (0..n).find_map(|i| weekday_date(doc, i, today)))
        .or_else(|| (0..n).find_map(|i| day_alone(doc, i, today)))
}

/// The next `month`/`day` on or after `today` (or in `year`).
fn resolve(today: Date, year: Option<i16>, month: i8, day: i8) -> Option<Date> {
    if let Some(y) = year {
        return Date::new(y, month, day).ok();
    }
    (0..8).find_map(|k| {
        Date::new(today.year() + k, month, day)
            .ok()
            .filter(|d| *d >= today)
    })
}

fn year_at(doc: &Doc, i: usize, today: Date) -> Option<i16> {
    let i = if doc.is(i, &["of", "de", "del"]) {
        i + 1
    } else {
        i
    };
    let w = doc.get(i);
    if w.len() == 4
        && let Ok(y) = w.parse::<i16>()
        && (2000..=2100).contains(&y)
    {
        return Some(y);
    }
    let next_year = (w == "next" && doc.get(i + 1) == "year")
        || (w == "proximo" && doc.get(i + 1) == "ano")
        || (w == "el" && doc.get(i + 1) == "proximo" && doc.get(i + 2) == "ano")
        || (w == "ano" && doc.get(i + 1) == "que" && doc.get(i + 2) == "viene");
    next_year.then(|| today.year() + 1)
}

fn month_day(doc: &Doc, i: usize, today: Date) -> Option<Date> {
    let m = month(doc.get(i))?;
    // "the 14th of June", "14 de junio", "el catorce de junio"
    let linked = doc.is(i.wrapping_sub(1), &["of", "de"]);
    let end = if linked { i - 1 } else { i };
    let before = [2usize, 1].iter().find_map(|back| {
        let at = end.checked_sub(*back)?;
        day_at(doc, at).filter(|(_, next, ordinal)| {
            *next == end && (linked || *ordinal || doc.get(at).chars().all(|c| c.is_ascii_digit()))
        })
    });
    let after = || {
        let j = if doc.is(i + 1, &["the", "el"]) {
            i + 2
        } else {
            i + 1
        };
        day_at(doc, j).filter(|(_, _, ordinal)| {
            doc.get(i) != "may" || *ordinal || doc.get(j).chars().all(|c| c.is_ascii_digit())
        })
    };
    let (day, next) = match before {
        Some((d, _, _)) => (d, i + 1),
        None => after().map(|(d, next, _)| (d, next))?,
    };
    if m == 5 && doc.get(i) == "may" && before.is_none() && doc.get(i + 1).is_empty() {
        return None;
    }
    let year = year_at(doc, next, today);
    resolve(today, year, m, i8::try_from(day).ok()?)
}

fn numeric(w: &str, today: Date, language: Language) -> Option<Date> {
    let parts: Vec<&str> = w.split('/').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let a: i8 = parts[0].parse().ok()?;
    let b: i8 = parts[1].parse().ok()?;
    let year = match parts.get(2) {
        Some(y) if y.len() == 2 => Some(2000 + y.parse::<i16>().ok()?),
        Some(y) => Some(y.parse::<i16>().ok()?),
        None => None,
    };
    let day_first = a > 12 || (language == Language::Es && b <= 12);
    let (m, d) = if day_first { (b, a) } else { (a, b) };
    if !(1..=12).contains(&m) {
        return None;
    }
    resolve(today, year, m, d)
}

fn holiday(doc: &Doc, i: usize, today: Date) -> Option<Date> {
    let w = |k: usize| doc.get(i + k);
    let (m, d) = match (w(0), w(1), w(2)) {
        ("new", "years", "eve") | ("nochevieja", _, _) => (12, 31),
        ("fin", "de", "ano") => (12, 31),
        ("christmas", "eve", _) | ("nochebuena", _, _) => (12, 24),
        ("christmas", "day", _) => (12, 25),
        ("valentines", "day", _) => (2, 14),
        _ => return None,
    };
    resolve(today, None, m, d)
}

#[rustfmt::skip]
const ABOUT_THE_CALL: &[&str] = &[
    "call", "back", "reach", "text", "until", "till", "after", "before", "llamame", "llamarme",
    "llame", "llamar", "hasta", "despues", "antes", "regresar", "office",
];

fn weekday_date(doc: &Doc, i: usize, today: Date) -> Option<Date> {
    let day = weekday(doc.get(i))?;
    let from = i.saturating_sub(4);
    if doc.tokens[from..i]
        .iter()
        .any(|t| ABOUT_THE_CALL.contains(&t.as_str()))
    {
        return None;
    }
    let prev = doc.get(i.wrapping_sub(1));
    let upcoming = today.nth_weekday(1, day).ok()?;
    if prev == "last" || doc.get(i + 1) == "pasado" {
        return today.nth_weekday(-1, day).ok();
    }
    if prev == "next" || (doc.get(i + 1) == "next" && doc.get(i + 2) == "week") {
        let days_to_monday = 7 - i64::from(today.weekday().to_monday_zero_offset());
        let next_monday = today.checked_add(days_to_monday.days()).ok()?;
        let offset = i64::from(day.to_monday_zero_offset());
        return next_monday.checked_add(offset.days()).ok();
    }
    if matches!(prev, "this" | "este") && today.weekday() == day {
        return Some(today);
    }
    Some(upcoming)
}

/// "on the 14th" (not "the 25th anniversary"), "el día 14": the next such day.
fn day_alone(doc: &Doc, i: usize, today: Date) -> Option<Date> {
    let (day, next, ordinal) = if doc.is(i, &["the"]) {
        day_at(doc, i + 1).filter(|(_, _, ordinal)| *ordinal)?
    } else if doc.is(i, &["dia"]) && doc.is(i.wrapping_sub(1), &["el"]) {
        day_at(doc, i + 1)?
    } else {
        return None;
    };
    let _ = ordinal;
    if doc.is(
        next,
        &[
            "anniversary",
            "birthday",
            "year",
            "grade",
            "floor",
            "street",
            "annual",
            "aniversario",
            "of",
        ],
    ) {
        return None;
    }
    let day = i8::try_from(day).ok()?;
    let mut month_start = today.first_of_month();
    for _ in 0..12 {
        if let Ok(d) = Date::new(month_start.year(), month_start.month(), day)
            && d >= today
        {
            return Some(d);
        }
        month_start = month_start.checked_add(1.month()).ok()?;
    }
    None
}

#[cfg(test)]
#[path = "dates_tests.rs"]
mod tests;
