//! Inbound-SMS keywords: STOP-type opt-outs, START-type opt-ins and HELP, recognised only
//! when the keyword is the whole message.

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
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];

/// Classifies a message body: any case, surrounding whitespace and punctuation ignored
/// (`" Stop! "` opts out), but `"stop calling me at night"` is an ordinary message.
pub fn classify_keyword(body: &str) -> Keyword {
    let word = body
        .trim_matches(|c: char| c.is_whitespace() || !c.is_alphanumeric())
        .to_uppercase();
    let word = word.as_str();
    if OPT_OUT.contains(&word) {
        Keyword::OptOut
    } else if OPT_IN.contains(&word) {
        Keyword::OptIn
    } else if HELP.contains(&word) {
        Keyword::Help
    } else {
        Keyword::Other
    }
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
    fn a_keyword_inside_a_longer_message_is_an_ordinary_message() {
        assert_eq!(classify_keyword("stop calling me"), Keyword::Other);
        assert_eq!(
            classify_keyword("Yes we would love to book you"),
            Keyword::Other
        );
        assert_eq!(classify_keyword("STOP ALL"), Keyword::Other);
        assert_eq!(classify_keyword("stopper"), Keyword::Other);
        assert_eq!(classify_keyword(""), Keyword::Other);
        assert_eq!(classify_keyword("!!!"), Keyword::Other);
    }

    proptest! {
        #[test]
        fn a_message_with_a_space_inside_its_words_is_never_a_keyword(
            a in "[A-Za-z]{1,8}",
            b in "[A-Za-z]{1,8}",
        ) {
            prop_assert_eq!(classify_keyword(&format!("{a} {b}")), Keyword::Other);
        }
    }
}
