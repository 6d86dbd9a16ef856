//! The follow-up rules: who qualifies, quiet hours, and plain GSM-7 message text.
//!
//! Pure functions: time and settings come in as parameters.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Which text a call gets after it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowupKind {
    /// An answered conversation: thanks, the payment link and the inquiry form.
    Thanks,
    /// A missed or voicemail call (only with `missed_call_text`): "sorry we missed you".
    Missed,
}

impl FollowupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupKind::Thanks => "thanks",
            FollowupKind::Missed => "missed",
        }
    }
}

/// SPEC §8: answered, and talked strictly longer than the threshold.
pub fn qualifies(answered: bool, talk_secs: Option<u32>, min_talk_secs: u32) -> bool {
    answered && talk_secs.is_some_and(|t| t > min_talk_secs)
}

/// Which follow-up an ended call gets, if any. A call that was answered but short gets none
/// (not even the missed-call text: the DJ did speak to them).
pub fn followup_for(
    answered: bool,
    talk_secs: Option<u32>,
    min_talk_secs: u32,
    missed_call_text: bool,
) -> Option<FollowupKind> {
    if qualifies(answered, talk_secs, min_talk_secs) {
        Some(FollowupKind::Thanks)
    } else if !answered && missed_call_text {
        Some(FollowupKind::Missed)
    } else {
        None
    }
}

/// A DJ's time zone by IANA name; an unknown name falls back to UTC.
pub fn time_zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Whether local hour `hour` is inside the quiet window `[start, end)`, which may wrap
/// midnight (`(21, 8)` is 21:00–08:00). `start == end` means no quiet hours.
pub fn is_quiet_hour(hour: u8, (start, end): (u8, u8)) -> bool {
    if start == end {
        false
    } else if start < end {
        (start..end).contains(&hour)
    } else {
        hour >= start || hour < end
    }
}

/// The first instant at or after `now` outside quiet hours in `tz`: `now` itself when it is
/// allowed, else the next local `end:00`.
pub fn next_allowed_instant(now: Timestamp, tz: &TimeZone, quiet: (u8, u8)) -> Timestamp {
    let local = now.to_zoned_datetime(tz.clone());
    let hour = u8::try_from(local.hour()).unwrap_or(0);
    if !is_quiet_hour(hour, quiet) {
        return now;
    }
    let end = i8::try_from(quiet.1.min(23)).unwrap_or(0);
    let today = local.date();
    // Before `end` on the same local day (the early-morning part of a wrapping window, or any
    // part of a window that does not wrap), the window ends today; otherwise tomorrow.
    let day = if hour < quiet.1 {
        today
    } else {
        today.tomorrow().unwrap_or(today)
    };
    // `to_zoned_datetime` resolves a DST gap or fold compatibly (a skipped 02:00 becomes 03:00).
    match day.at(end, 0, 0, 0).to_zoned_datetime(tz.clone()) {
        Ok(zoned) if zoned.timestamp() > now => zoned.timestamp(),
        _ => now,
    }
}

/// The longest text we send: two concatenated GSM-7 segments (2 × 153 septets).
pub const MAX_SEPTETS: usize = 306;
/// A DJ name longer than this is cut (names are ours to show, not to spell in full).
pub const MAX_NAME_CHARS: usize = 40;

use crate::sms_segments::is_gsm7;
pub use crate::sms_segments::{gsm7_septets, segments};

/// Rewrites `text` into the GSM-7 alphabet: typographic quotes, dashes, ellipses and odd spaces
/// become their plain forms, common accented letters lose their accents, and anything else
/// (emoji, other scripts) is dropped.
pub fn to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_gsm7(c) {
            out.push(c);
            continue;
        }
        let replacement: &str = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => "'",
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => "\"",
            '\u{2010}'..='\u{2015}' | '\u{2212}' => "-",
            '\u{2026}' => "...",
            '\t' | '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{3000}' => " ",
            '\u{2022}' | '\u{b7}' => "*",
            'á' | 'â' | 'ã' | 'ā' | 'ą' => "a",
            'Á' | 'Â' | 'Ã' | 'À' | 'Ā' | 'Ą' => "A",
            'ç' | 'ć' | 'č' => "c",
            'Ć' | 'Č' => "C",
            'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'Ê' | 'Ë' | 'È' | 'Ē' | 'Ę' | 'Ě' => "E",
            'í' | 'î' | 'ï' | 'ī' => "i",
            'Í' | 'Î' | 'Ï' | 'Ì' | 'Ī' => "I",
            'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
            'Ó' | 'Ô' | 'Õ' | 'Ò' | 'Ō' | 'Ő' => "O",
            'ú' | 'û' | 'ū' | 'ű' | 'ů' => "u",
            'Ú' | 'Û' | 'Ù' | 'Ū' | 'Ű' | 'Ů' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'ł' => "l",
            'Ł' => "L",
            'ń' | 'ň' => "n",
            'Ń' | 'Ň' => "N",
            'ś' | 'š' => "s",
            'Ś' | 'Š' => "S",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            'ř' => "r",
            'Ř' => "R",
            'ť' => "t",
            'Ť' => "T",
            'ď' => "d",
            'Ď' => "D",
            _ => "",
        };
        out.push_str(replacement);
    }
    out
}

/// A DJ name fit for a text: GSM-7, single-spaced, at most `MAX_NAME_CHARS`, never empty.
pub fn display_name(dj_name: &str) -> String {
    let plain = to_gsm7(dj_name);
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut name = words.join(" ");
    if name.chars().count() > MAX_NAME_CHARS {
        name = name
            .chars()
            .take(MAX_NAME_CHARS)
            .collect::<String>()
            .trim_end()
            .to_string();
    }
    if name.is_empty() {
        "your DJ".to_string()
    } else {
        name
    }
}

/// The inquiry form of a DJ's public page.
pub fn inquiry_url(dj_slug: &str) -> String {
    format!("https://djdash.net/dj/{dj_slug}#inquiry-form")
}

/// The thank-you text of an answered call (SPEC §8): thanks from the DJ by name, the payment
/// link for a booking deposit, the inquiry form, and how to opt out. The longest wording that
/// fits two GSM-7 segments is used.
pub fn thanks_text(dj_name: &str, pay_url: &str, inquiry_url: &str) -> String {
    let name = display_name(dj_name);
    let candidates = [
        format!(
            "Thanks for calling {name}! Reserve your date with a booking deposit: {pay_url} \
             Tell us about your event: {inquiry_url} Reply STOP to opt out."
        ),
        format!(
            "Thanks for calling {name}! Booking deposit: {pay_url} Event details: {inquiry_url} \
             Reply STOP to opt out."
        ),
        format!("{name}: deposit {pay_url} info {inquiry_url} Reply STOP to opt out."),
    ];
    pick_shortest_fitting(candidates)
}

/// The "sorry we missed you" text of a missed or voicemail call (only with `missed_call_text`).
pub fn missed_text(dj_name: &str, inquiry_url: &str) -> String {
    let name = display_name(dj_name);
    let candidates = [
        format!(
            "Sorry we missed your call to {name}! We will get back to you soon. \
             Tell us about your event: {inquiry_url} Reply STOP to opt out."
        ),
        format!("Sorry we missed your call to {name}! {inquiry_url} Reply STOP to opt out."),
    ];
    pick_shortest_fitting(candidates)
}

/// The answer to HELP / INFO.
/// The answer to a Spanish opt-out word (Twilio confirms only its English ones).
pub const OPT_OUT_TEXT_ES: &str = "DJ Dash: ya no te enviaremos mensajes desde este numero. \
    Responde START para volver a recibirlos.";

/// The answer to `AYUDA`.
pub const HELP_TEXT_ES: &str = "DJ Dash: mensajes sobre tu llamada a un DJ. \
    Pueden aplicarse tarifas. Responde STOP para no recibir mensajes, \
    START para volver a recibirlos.";

pub const HELP_TEXT: &str = "DJ Dash: follow-up texts about your call with a DJ. \
    Msg & data rates may apply. Reply STOP to opt out, START to opt back in.";

/// The first candidate (they go from fullest to shortest) that stays within two segments, all
/// normalised to GSM-7; the last one when none fits (a very long base URL or slug).
fn pick_shortest_fitting<const N: usize>(candidates: [String; N]) -> String {
    let plain: Vec<String> = candidates.iter().map(|c| to_gsm7(c)).collect();
    plain
        .iter()
        .find(|t| gsm7_septets(t).is_some_and(|n| n <= MAX_SEPTETS))
        .or(plain.last())
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn only_answered_calls_longer_than_the_threshold_qualify() {
        assert!(qualifies(true, Some(11), 10));
        assert!(!qualifies(true, Some(10), 10));
        assert!(!qualifies(true, None, 10));
        assert!(!qualifies(false, Some(95), 10));
        assert_eq!(
            followup_for(true, Some(95), 10, false),
            Some(FollowupKind::Thanks)
        );
        assert_eq!(followup_for(false, None, 10, false), None);
        assert_eq!(
            followup_for(false, None, 10, true),
            Some(FollowupKind::Missed)
        );
        assert_eq!(followup_for(true, Some(5), 10, true), None);
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let q = (21, 8);
        assert!(is_quiet_hour(21, q));
        assert!(is_quiet_hour(23, q));
        assert!(is_quiet_hour(0, q));
        assert!(is_quiet_hour(7, q));
        assert!(!is_quiet_hour(8, q));
        assert!(!is_quiet_hour(20, q));
        assert!(is_quiet_hour(2, (1, 5)));
        assert!(!is_quiet_hour(5, (1, 5)));
        assert!(!is_quiet_hour(3, (4, 4)));
    }

    #[test]
    fn a_text_due_at_night_waits_for_the_morning_in_the_djs_zone() {
        let ny = time_zone("America/New_York");
        // 23:00 in New York (EDT, UTC-4) is 03:00Z the next day; it waits for 08:00 local.
        assert_eq!(
            next_allowed_instant(at("2026-06-16T03:00:00Z"), &ny, (21, 8)),
            at("2026-06-16T12:00:00Z")
        );
        // 05:30 local: the same morning.
        assert_eq!(
            next_allowed_instant(at("2026-06-16T09:30:00Z"), &ny, (21, 8)),
            at("2026-06-16T12:00:00Z")
        );
        // Midday: now.
        let noon = at("2026-06-16T16:00:00Z");
        assert_eq!(next_allowed_instant(noon, &ny, (21, 8)), noon);
        // A window that does not wrap.
        let utc = time_zone("UTC");
        assert_eq!(
            next_allowed_instant(at("2026-06-16T02:15:00Z"), &utc, (1, 5)),
            at("2026-06-16T05:00:00Z")
        );
        // Unknown zones are UTC.
        assert_eq!(
            next_allowed_instant(
                at("2026-06-16T22:00:00Z"),
                &time_zone("Mars/Olympus"),
                (21, 8)
            ),
            at("2026-06-17T08:00:00Z")
        );
    }

    #[test]
    fn the_thanks_text_is_plain_gsm7_within_two_segments() {
        let text = thanks_text(
            "DJ \u{201c}Sparkle\u{201d} \u{2014} Caf\u{e9} \u{1f3a7}",
            "https://calls.example.com/pay/AbCdEfGhIjKlMnOpQrStUv",
            &inquiry_url("dj-sparkle"),
        );
        assert!(gsm7_septets(&text).is_some(), "{text}");
        assert!(segments(&text) <= 2, "{text}");
        assert!(text.contains("DJ \"Sparkle\" - Caf\u{e9}"), "{text}");
        assert!(text.contains("/pay/AbCdEfGhIjKlMnOpQrStUv"));
        assert!(text.contains("https://djdash.net/dj/dj-sparkle#inquiry-form"));
        assert!(text.ends_with("Reply STOP to opt out."));
        let missed = missed_text("DJ Sparkle", &inquiry_url("dj-sparkle"));
        assert!(segments(&missed) <= 2 && missed.contains("Reply STOP"));
        assert!(gsm7_septets(HELP_TEXT).is_some_and(|n| n <= 160));
        assert!(gsm7_septets(HELP_TEXT_ES).is_some_and(|n| n <= 160));
        assert!(gsm7_septets(OPT_OUT_TEXT_ES).is_some_and(|n| n <= 160));
    }

    #[test]
    fn segment_counting_follows_the_encoding() {
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(gsm7_septets("[x]"), Some(5));
        assert_eq!(gsm7_septets("\u{1f3a7}"), None);
        assert_eq!(segments(&"\u{e1}".repeat(70)), 1);
    }

    proptest! {
        #[test]
        fn any_name_gives_a_gsm7_text(name in "\\PC{0,80}", slug in "[a-z0-9-]{1,40}") {
            let text = thanks_text(&name, "https://example.com/pay/AbCdEfGhIjKlMnOpQrStUv", &inquiry_url(&slug));
            prop_assert!(gsm7_septets(&text).is_some());
            prop_assert!(segments(&text) <= 2);
            prop_assert!(text.contains("Reply STOP to opt out."));
        }
    }
}
