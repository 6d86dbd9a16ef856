//! Inbound-SMS keywords: STOP-type opt-outs, START-type opt-ins and HELP.
//!
//! A text is read the way a person means it, not byte for byte: Unicode NFKC (full-width
//! `ＳＴＯＰ` is `STOP`), any case, the UTS #39 confusables skeleton (`stоp` with a Cyrillic
//! `о` is `stop`; `unicode-security`), and punctuation and symbols are word breaks (`OPT-OUT`
//! is `OPT OUT`). A keyword may be written as one word or two (`OPT OUT`, `STOP ALL`), and an
//! opt-out or help keyword may be followed by courtesy words only (`Stop please`, `help me`);
//! `stop calling me at night` stays an ordinary message. Opt-in keywords must stand alone, so a
//! lead's "Yes please" is kept as the lead's message.
//!
//! Spanish: Twilio's own keywords are English only — "By default, Twilio handles standard
//! English-language reply messages—STOP, UNSUBSCRIBE, END, QUIT, STOPALL, REVOKE, OPTOUT, and
//! CANCEL" (<https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out>); Advanced
//! Opt-Out recognises other languages only as keywords a Messaging Service's owner adds ("Add
//! support for additional languages (e.g. keywords and replies in Spanish)",
//! <https://support.twilio.com/hc/en-us/articles/360034798533>), and has no Spanish list of its
//! own. So we keep ours: the words Spanish speakers use to stop texts (`ALTO`, `PARAR`,
//! `DETENER`, `CANCELAR`, `BAJA`) and `AYUDA`, with Spanish courtesy words (`Baja por favor`).
//! Twilio neither blocks nor confirms these, so [`is_spanish_keyword`] tells the webhook to
//! answer them itself, in Spanish.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::confusable_detection::skeleton;

/// What an inbound text asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
    /// An ordinary message (a lead writing to the DJ).
    Other,
}

const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "CANCEL",
];
/// Spanish opt-out words (Twilio does not know them: module documentation).
const OPT_OUT_ES: &[&str] = &["ALTO", "PARAR", "DETENER", "CANCELAR", "BAJA"];
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];
const HELP_ES: &[&str] = &["AYUDA"];

/// Words that may follow an opt-out or help keyword without making the text a message.
const COURTESY: &[&str] = &[
    "PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "THX", "TY", "ALL", "ME", "IT",
    "TEXTING", "TEXTS", "MESSAGES", "POR", "FAVOR", "GRACIAS", "YA", "MENSAJES",
];

/// Classifies a message body (see the module documentation for how it is read).
pub fn classify_keyword(body: &str) -> Keyword {
    let words = normalised_words(body);
    if matches_keyword(&words, OPT_OUT, true) || matches_keyword(&words, OPT_OUT_ES, true) {
        Keyword::OptOut
    } else if matches_keyword(&words, OPT_IN, false) {
        Keyword::OptIn
    } else if matches_keyword(&words, HELP, true) || matches_keyword(&words, HELP_ES, true) {
        Keyword::Help
    } else {
        Keyword::Other
    }
}

/// Whether `body` is one of the Spanish keywords, which Twilio neither acts on nor answers:
/// the webhook confirms them itself, in Spanish.
pub fn is_spanish_keyword(body: &str) -> bool {
    let words = normalised_words(body);
    !matches_keyword(&words, OPT_OUT, true)
        && (matches_keyword(&words, OPT_OUT_ES, true) || matches_keyword(&words, HELP_ES, true))
}

/// NFKC, upper case, then the confusables skeleton (upper case first, so `i` and `I` meet the
/// same prototype), combining marks dropped, and anything that is not a letter or digit taken
/// as a word break.
fn normalised_words(text: &str) -> Vec<String> {
    let upper: String = text.nfkc().collect::<String>().to_uppercase();
    let folded: String = skeleton(&upper)
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().map(str::to_string).collect()
}

/// One word, or two written apart, from `list`; then nothing, or (when `courtesy`) courtesy
/// words only.
fn matches_keyword(words: &[String], list: &[&str], courtesy: bool) -> bool {
    let rest_is_fine = |rest: &[String]| {
        rest.is_empty() || courtesy && rest.iter().all(|w| is_one_of(w, COURTESY))
    };
    match words {
        [] => false,
        [first, rest @ ..] if is_one_of(first, list) && rest_is_fine(rest) => true,
        [first, second, rest @ ..] => {
            is_one_of(&format!("{first}{second}"), list) && rest_is_fine(rest)
        }
        _ => false,
    }
}

fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter()
        .any(|entry| normalised_words(entry).concat() == word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_opt_out_keyword_opts_out_in_any_case() {
        for word in OPT_OUT {
            assert_eq!(classify_keyword(word), Keyword::OptOut, "{word}");
            assert_eq!(
                classify_keyword(&word.to_lowercase()),
                Keyword::OptOut,
                "{word}"
            );
        }
        assert_eq!(classify_keyword("Stop"), Keyword::OptOut);
    }

    #[test]
    fn spanish_opt_out_and_help_words_are_recognised_and_answered_by_us() {
        for text in [
            "ALTO",
            "alto",
            "Parar",
            "detener",
            "CANCELAR",
            "Baja",
            "baja por favor",
            "Alto ya",
            "Cancelar, gracias",
        ] {
            assert_eq!(classify_keyword(text), Keyword::OptOut, "{text}");
            assert!(is_spanish_keyword(text), "{text}");
        }
        assert_eq!(classify_keyword("Ayuda"), Keyword::Help);
        assert!(is_spanish_keyword("ayuda por favor"));
        // Twilio's own words are answered by Twilio; a Spanish sentence is a lead's message.
        assert!(!is_spanish_keyword("STOP"));
        assert!(!is_spanish_keyword("cancel"));
        for text in [
            "Cancelar mi reserva",
            "alto volumen por favor",
            "baja la música",
        ] {
            assert_eq!(classify_keyword(text), Keyword::Other, "{text}");
            assert!(!is_spanish_keyword(text), "{text}");
        }
    }

    #[test]
    fn opt_in_and_help_keywords_are_recognised() {
        for word in ["start", "Yes", "UNSTOP"] {
            assert_eq!(classify_keyword(word), Keyword::OptIn, "{word}");
        }
        for word in ["help", "Info"] {
            assert_eq!(classify_keyword(word), Keyword::Help, "{word}");
        }
    }

    #[test]
    fn surrounding_whitespace_and_punctuation_are_ignored() {
        assert_eq!(classify_keyword("  STOP.\n"), Keyword::OptOut);
        assert_eq!(classify_keyword("\"stop!!\""), Keyword::OptOut);
        assert_eq!(classify_keyword("¿help?"), Keyword::Help);
    }

    #[test]
    fn common_phrasings_of_opt_out_opt_out() {
        for text in [
            "Stop please",
            "STOP PLEASE!",
            "opt out",
            "OPT-OUT",
            "Opt Out please",
            "optout",
            "STOP ALL",
            "stop texting me",
            "Unsubscribe, thank you",
            "cancel pls",
            "Quit it",
            "end.",
            "Revoke",
        ] {
            assert_eq!(classify_keyword(text), Keyword::OptOut, "{text}");
        }
    }

    #[test]
    fn full_width_and_look_alike_letters_are_read_as_the_letters_they_show() {
        // Full-width Latin (NFKC).
        assert_eq!(classify_keyword("ＳＴＯＰ"), Keyword::OptOut);
        // Cyrillic о in the middle of a Latin word (confusables skeleton).
        assert_eq!(classify_keyword("st\u{43e}p"), Keyword::OptOut);
        assert_eq!(
            classify_keyword("\u{405}\u{422}\u{41e}\u{420}"),
            Keyword::OptOut
        );
        // A zero-width space inside the word is ignored; so are accents.
        assert_eq!(classify_keyword("ST\u{200b}OP"), Keyword::OptOut);
        assert_eq!(classify_keyword("stöp"), Keyword::OptOut);
        assert_eq!(classify_keyword("ＨＥＬＰ"), Keyword::Help);
        assert_eq!(classify_keyword("h\u{435}lp please"), Keyword::Help);
        assert_eq!(classify_keyword("\u{456}nfo"), Keyword::Help);
    }

    #[test]
    fn help_takes_courtesy_words_too() {
        for text in ["help please", "HELP ME", "Help!!! please"] {
            assert_eq!(classify_keyword(text), Keyword::Help, "{text}");
        }
    }

    #[test]
    fn opt_in_keywords_must_stand_alone() {
        assert_eq!(classify_keyword("Yes please"), Keyword::Other);
        assert_eq!(classify_keyword("START"), Keyword::OptIn);
        assert_eq!(classify_keyword("un-stop"), Keyword::OptIn);
    }

    #[test]
    fn a_keyword_inside_a_longer_message_is_an_ordinary_message() {
        assert_eq!(classify_keyword("stop calling me"), Keyword::Other);
        assert_eq!(
            classify_keyword("Yes we would love to book you"),
            Keyword::Other
        );
        assert_eq!(classify_keyword("help me plan my wedding"), Keyword::Other);
        assert_eq!(classify_keyword("Cancel my booking please"), Keyword::Other);
        assert_eq!(classify_keyword("stopper"), Keyword::Other);
        assert_eq!(classify_keyword("please stop"), Keyword::Other);
        assert_eq!(classify_keyword(""), Keyword::Other);
        assert_eq!(classify_keyword("!!!"), Keyword::Other);
    }

    proptest! {
        #[test]
        fn a_keyword_followed_by_a_word_that_is_not_courtesy_is_never_a_keyword(
            a in "[A-Za-z]{1,8}",
            b in "[A-Za-z]{1,8}",
        ) {
            let joined = normalised_words(&format!("{a}{b}")).concat();
            let all = [OPT_OUT, OPT_OUT_ES, OPT_IN, HELP, HELP_ES].concat();
            prop_assume!(!is_one_of(&joined, &all));
            prop_assume!(!is_one_of(&normalised_words(&b).concat(), COURTESY));
            prop_assert_eq!(classify_keyword(&format!("{a} {b}")), Keyword::Other);
        }
    }
}
