//! Numbers as spoken or written: "150", "1.5k", "a hundred and fifty", "fifteen hundred",
//! "two grand", "ciento cincuenta", "dos mil quinientos"; ordinals for days of the month.

use crate::text::Doc;

/// A number read at some token: its value, the token after it, and whether a money word
/// ("grand", "k") was part of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Number {
    pub value: f64,
    pub next: usize,
    pub money_word: bool,
}

fn small_word(w: &str) -> Option<u32> {
    let v = match w {
        "zero" | "cero" => 0,
        "one" | "uno" | "una" | "un" => 1,
        "two" | "dos" | "couple" => 2,
        "three" | "tres" | "few" => 3,
        "four" | "cuatro" => 4,
        "five" | "cinco" => 5,
        "six" | "seis" => 6,
        "seven" | "siete" => 7,
        "eight" | "ocho" => 8,
        "nine" | "nueve" => 9,
        "ten" | "diez" => 10,
        "eleven" | "once" => 11,
        "twelve" | "doce" | "dozen" => 12,
        "thirteen" | "trece" => 13,
        "fourteen" | "catorce" => 14,
        "fifteen" | "quince" => 15,
        "sixteen" | "dieciseis" => 16,
        "seventeen" | "diecisiete" => 17,
        "eighteen" | "dieciocho" => 18,
        "nineteen" | "diecinueve" => 19,
        "twenty" | "veinte" => 20,
        "veintiuno" | "veintiun" | "veintiuna" => 21,
        "veintidos" => 22,
        "veintitres" => 23,
        "veinticuatro" => 24,
        "veinticinco" => 25,
        "veintiseis" => 26,
        "veintisiete" => 27,
        "veintiocho" => 28,
        "veintinueve" => 29,
        "thirty" | "treinta" => 30,
        "forty" | "cuarenta" => 40,
        "fifty" | "cincuenta" => 50,
        "sixty" | "sesenta" => 60,
        "seventy" | "setenta" => 70,
        "eighty" | "ochenta" => 80,
        "ninety" | "noventa" => 90,
        _ => return None,
    };
    Some(v)
}

fn hundreds_word(w: &str) -> Option<u32> {
    let v = match w {
        "cien" | "ciento" => 100,
        "doscientos" | "doscientas" => 200,
        "trescientos" | "trescientas" => 300,
        "cuatrocientos" | "cuatrocientas" => 400,
        "quinientos" | "quinientas" => 500,
        "seiscientos" | "seiscientas" => 600,
        "setecientos" | "setecientas" => 700,
        "ochocientos" | "ochocientas" => 800,
        "novecientos" | "novecientas" => 900,
        _ => return None,
    };
    Some(v)
}

fn is_multiplier(w: &str) -> bool {
    matches!(w, "hundred" | "thousand" | "grand" | "k" | "mil")
}

/// Reads a number starting at token `i`.
pub(crate) fn number_at(doc: &Doc, i: usize) -> Option<Number> {
    let first = doc.get(i);
    if first.is_empty() {
        return None;
    }
    // "a hundred", "a couple hundred", "a dozen"
    if matches!(first, "hundred" | "thousand" | "grand" | "k") {
        // "the Grand Ballroom": a multiplier alone is not a number
        return None;
    }
    let start = if matches!(first, "a" | "an") {
        let next = doc.get(i + 1);
        if is_multiplier(next) || matches!(next, "couple" | "few" | "dozen") {
            i + 1
        } else {
            return None;
        }
    } else {
        i
    };
    let mut total = 0f64;
    let mut current = 0f64;
    let mut seen = false;
    let mut money_word = false;
    let mut j = start;
    let mut last_small: Option<u32> = None;
    loop {
        let w = doc.get(j);
        if let Some(v) = digits_value(w) {
            if seen {
                break;
            }
            current += v.0;
            money_word |= v.1;
            if v.1 {
                total += current;
                current = 0.0;
            }
            seen = true;
            last_small = None;
        } else if let Some(v) = small_word(w) {
            // "twenty five" joins, "five twenty" does not
            let joins = match last_small {
                None => !seen || current == 0.0 || current % 100.0 == 0.0,
                Some(prev) => prev >= 20 && prev % 10 == 0 && v < 10,
            };
            if !joins || (w == "couple" || w == "few") && seen {
                break;
            }
            current += f64::from(v);
            seen = true;
            last_small = Some(v);
        } else if let Some(v) = hundreds_word(w) {
            if seen && current != 0.0 {
                break;
            }
            current += f64::from(v);
            seen = true;
            last_small = None;
        } else if w == "hundred" {
            current = if current == 0.0 {
                100.0
            } else {
                current * 100.0
            };
            seen = true;
            last_small = None;
        } else if matches!(w, "thousand" | "grand" | "k" | "mil") {
            let base = if current == 0.0 { 1.0 } else { current };
            total += base * 1000.0;
            current = 0.0;
            seen = true;
            money_word |= matches!(w, "grand" | "k");
            last_small = None;
        } else if matches!(w, "and" | "y")
            && seen
            && (small_word(doc.get(j + 1)).is_some() || digits_value(doc.get(j + 1)).is_some())
            && !matches!(doc.get(j + 1), "couple" | "few" | "dozen")
            && (w == "and" && total + current >= 100.0 || w == "y" && current >= 20.0)
            && digits_value(doc.get(j + 1)).is_none()
        {
            // "a hundred and fifty", "treinta y cinco"
        } else {
            break;
        }
        j += 1;
    }
    if !seen {
        return None;
    }
    Some(Number {
        value: total + current,
        next: j,
        money_word,
    })
}

/// "150" → (150, false); "2k" → (2000, true); "1.5" → (1.5, false).
fn digits_value(w: &str) -> Option<(f64, bool)> {
    let (num, k) = match w.strip_suffix('k') {
        Some(n) => (n, true),
        None => (w, false),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    Some(if k { (v * 1000.0, true) } else { (v, false) })
}

fn ordinal_word(w: &str) -> Option<u32> {
    let v = match w {
        "first" | "primero" | "primer" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => return None,
    };
    Some(v)
}

/// A day of the month at token `i` ("14", "14th", "fourteenth", "twenty fourth",
/// "catorce", "primero"): (day, next token, written as an ordinal).
pub(crate) fn day_at(doc: &Doc, i: usize) -> Option<(u32, usize, bool)> {
    let w = doc.get(i);
    for suffix in ["st", "nd", "rd", "th", "ro", "o"] {
        if let Some(n) = w.strip_suffix(suffix)
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
        {
            return n
                .parse()
                .ok()
                .filter(|d| (1..=31).contains(d))
                .map(|d| (d, i + 1, true));
        }
    }
    if !w.is_empty() && w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit()) {
        return w
            .parse()
            .ok()
            .filter(|d| (1..=31).contains(d))
            .map(|d| (d, i + 1, false));
    }
    if let Some(d) = ordinal_word(w) {
        return Some((d, i + 1, true));
    }
    if let Some(tens) = small_word(w).filter(|t| *t == 20 || *t == 30)
        && let Some(unit) = ordinal_word(doc.get(i + 1)).filter(|u| *u < 10)
    {
        return Some((tens + unit, i + 2, true));
    }
    match small_word(w) {
        Some(d)
            if (1..=31).contains(&d)
                && !matches!(w, "a" | "couple" | "few" | "dozen" | "un" | "una") =>
        {
            if d >= 20
                && d % 10 == 0
                && let Some(u) = small_word(doc.get(i + 1)).filter(|u| (1..10).contains(u))
            {
                return Some((d + u, i + 2, false));
            }
            Some((d, i + 1, false))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<f64> {
        number_at(&Doc::new(text), 0).map(|n| n.value)
    }

    #[test]
    fn english_numbers() {
        assert_eq!(read("150 guests"), Some(150.0));
        assert_eq!(read("a hundred and fifty people"), Some(150.0));
        assert_eq!(read("two hundred"), Some(200.0));
        assert_eq!(read("fifteen hundred dollars"), Some(1500.0));
        assert_eq!(read("two grand"), Some(2000.0));
        assert_eq!(read("2k"), Some(2000.0));
        assert_eq!(read("1.5k"), Some(1500.0));
        assert_eq!(read("$1,500"), None);
        assert_eq!(read("1,500 bucks"), Some(1500.0));
        assert_eq!(read("a couple hundred"), Some(200.0));
        assert_eq!(read("twenty five"), Some(25.0));
        assert_eq!(read("two thousand five hundred"), Some(2500.0));
        assert_eq!(read("a party"), None);
    }

    #[test]
    fn spanish_numbers() {
        assert_eq!(read("ciento cincuenta invitados"), Some(150.0));
        assert_eq!(read("doscientas personas"), Some(200.0));
        assert_eq!(read("mil quinientos dolares"), Some(1500.0));
        assert_eq!(read("dos mil"), Some(2000.0));
        assert_eq!(read("treinta y cinco"), Some(35.0));
        assert_eq!(read("cien personas"), Some(100.0));
    }

    #[test]
    fn days_of_the_month() {
        let day = |t: &str| day_at(&Doc::new(t), 0).map(|d| d.0);
        assert_eq!(day("14th"), Some(14));
        assert_eq!(day("fourteenth"), Some(14));
        assert_eq!(day("twenty fourth"), Some(24));
        assert_eq!(day("catorce"), Some(14));
        assert_eq!(day("veintiuno"), Some(21));
        assert_eq!(day("1ro"), Some(1));
        assert_eq!(day("32"), None);
    }
}
