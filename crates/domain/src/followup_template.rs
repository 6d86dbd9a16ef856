//! The follow-up texts a DJ writes (SPEC §13): per kind (`thanks`, `missed`) and language
//! (`en`, `es`), with the placeholders `{dj_name}`, `{link}` (the call's payment link) and
//! `{form_link}` (the DJ's inquiry form). The service appends the opt-out line in the text's
//! language. A text is valid when its placeholders are known, it has the link its kind needs
//! (`thanks`: `{link}`; `missed`: `{link}` or `{form_link}`, since a caller the DJ has not
//! spoken to yet may rather be asked about the event than for a deposit), and once filled with
//! the DJ's real values and given the opt-out line it fits two SMS segments.
//!
//! Pure: the values come in as parameters.

use crate::followup::FollowupKind;
use crate::sms_segments::{self, SegmentCount};

/// Languages texts are written in: the languages call insights detect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    En,
    Es,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Es];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == code)
    }

    /// The line the service appends to every text (counted in the two segments).
    pub fn opt_out_line(self) -> &'static str {
        match self {
            Language::En => "Reply STOP to opt out.",
            Language::Es => "Responde STOP para no recibir mensajes.",
        }
    }
}

/// The kinds of text a DJ writes.
pub const KINDS: [FollowupKind; 2] = [FollowupKind::Thanks, FollowupKind::Missed];

/// The most SMS segments a text may take, opt-out line included.
pub const MAX_SEGMENTS: usize = 2;

/// The JSON path of one text, for errors (`thanks.es`).
pub fn field_name(kind: FollowupKind, language: Language) -> &'static str {
    match (kind, language) {
        (FollowupKind::Thanks, Language::En) => "thanks.en",
        (FollowupKind::Thanks, Language::Es) => "thanks.es",
        (FollowupKind::Missed, Language::En) => "missed.en",
        (FollowupKind::Missed, Language::Es) => "missed.es",
    }
}

/// The platform's text when the DJ wrote none. The Spanish ones keep to GSM-7 (é, ñ, ¡, ¿ are
/// in it; á, í, ó, ú are not) so that two links and the opt-out line still fit two segments.
pub fn platform_default(kind: FollowupKind, language: Language) -> &'static str {
    match (kind, language) {
        (FollowupKind::Thanks, Language::En) => {
            "Thanks for calling {dj_name}! Reserve your date with a booking deposit: {link} \
             Tell us about your event: {form_link}"
        }
        (FollowupKind::Thanks, Language::Es) => {
            "¡Gracias por llamar a {dj_name}! Aparta tu fecha con un anticipo: {link} \
             Cuéntanos de tu evento: {form_link}"
        }
        (FollowupKind::Missed, Language::En) => {
            "Sorry we missed your call to {dj_name}! We will get back to you soon. \
             Tell us about your event: {form_link}"
        }
        (FollowupKind::Missed, Language::Es) => {
            "¡Hola! Sentimos no haber podido contestar tu llamada a {dj_name}. Te llamamos \
             pronto. Mientras, cuéntanos de tu evento: {form_link}"
        }
    }
}

/// What the placeholders are filled with.
#[derive(Clone, Debug)]
pub struct Values<'a> {
    pub dj_name: &'a str,
    pub link: &'a str,
    pub form_link: &'a str,
}

/// Why a text was refused; `message` says it for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    Empty,
    UnknownPlaceholder(String),
    UnclosedBrace,
    MissingLink(FollowupKind),
    TooLong(SegmentCount),
}

impl TemplateError {
    pub fn message(&self) -> String {
        match self {
            TemplateError::Empty => "must not be empty".to_string(),
            TemplateError::UnknownPlaceholder(name) => format!(
                "has an unknown placeholder {{{name}}}: use {{dj_name}}, {{link}} or {{form_link}}"
            ),
            TemplateError::UnclosedBrace => {
                "has a { without its }: placeholders are {dj_name}, {link} and {form_link}"
                    .to_string()
            }
            TemplateError::MissingLink(FollowupKind::Thanks) => {
                "must contain {link}, where the payment link goes".to_string()
            }
            TemplateError::MissingLink(FollowupKind::Missed) => {
                "must contain {link} or {form_link}, so the caller can reach you".to_string()
            }
            TemplateError::TooLong(c) => format!(
                "is {} {} long with your name, the links and the opt-out line: {} SMS segments, at most {MAX_SEGMENTS} allowed",
                c.units,
                match c.encoding {
                    sms_segments::Encoding::Gsm7 => "characters",
                    sms_segments::Encoding::Ucs2 =>
                        "UCS-2 characters (it has characters outside GSM-7)",
                },
                c.segments
            ),
        }
    }
}

/// The pieces of a text: literal runs and placeholder names.
enum Piece<'t> {
    Text(&'t str),
    DjName,
    Link,
    FormLink,
}

fn parse(text: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        pieces.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::UnclosedBrace)?;
        pieces.push(match &after[..close] {
            "dj_name" => Piece::DjName,
            "link" => Piece::Link,
            "form_link" => Piece::FormLink,
            other => return Err(TemplateError::UnknownPlaceholder(other.to_string())),
        });
        rest = &after[close + 1..];
    }
    pieces.push(Piece::Text(rest));
    Ok(pieces)
}

/// Whether a (valid) text uses the payment link: only then is one made for the call.
pub fn uses_link(text: &str) -> bool {
    parse(text).is_ok_and(|p| p.iter().any(|p| matches!(p, Piece::Link)))
}

/// The text with its placeholders filled and the opt-out line appended: what is sent.
pub fn render(text: &str, language: Language, values: &Values) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len() + 120);
    for piece in parse(text)? {
        out.push_str(match piece {
            Piece::Text(t) => t,
            Piece::DjName => values.dj_name,
            Piece::Link => values.link,
            Piece::FormLink => values.form_link,
        });
    }
    let body = out.trim_end();
    Ok(format!("{body} {}", language.opt_out_line()))
}

/// Checks a DJ's text; the size of what would be sent when it is valid.
pub fn validate(
    kind: FollowupKind,
    language: Language,
    text: &str,
    values: &Values,
) -> Result<SegmentCount, TemplateError> {
    if text.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    let pieces = parse(text)?;
    let has = |f: fn(&Piece) -> bool| pieces.iter().any(f);
    let has_link = has(|p| matches!(p, Piece::Link));
    let has_form = has(|p| matches!(p, Piece::FormLink));
    let linked = match kind {
        FollowupKind::Thanks => has_link,
        FollowupKind::Missed => has_link || has_form,
    };
    if !linked {
        return Err(TemplateError::MissingLink(kind));
    }
    let count = sms_segments::count(&render(text, language, values)?);
    if count.segments > MAX_SEGMENTS {
        return Err(TemplateError::TooLong(count));
    }
    Ok(count)
}

#[cfg(test)]
#[path = "followup_template_tests.rs"]
mod tests;
