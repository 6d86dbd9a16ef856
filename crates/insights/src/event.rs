//! The event type, from the words naming it.

use crate::insights::EventType::{self, *};
use crate::text::{Doc, Found, Phrases};
use std::sync::OnceLock;

const PHRASES: &[(&str, EventType)] = &[
    ("wedding", Wedding),
    ("weddings", Wedding),
    ("wedding reception", Wedding),
    ("getting married", Wedding),
    ("get married", Wedding),
    ("got married", Wedding),
    ("got engaged", Wedding),
    ("my fiance", Wedding),
    ("my fiancee", Wedding),
    ("bride", Wedding),
    ("groom", Wedding),
    ("the bride", Wedding),
    ("boda", Wedding),
    ("bodas", Wedding),
    ("nos casamos", Wedding),
    ("casarnos", Wedding),
    ("me caso", Wedding),
    ("nuestra boda", Wedding),
    ("birthday", Birthday),
    ("bday", Birthday),
    ("birthday party", Birthday),
    ("sweet sixteen", Birthday),
    ("sweet 16", Birthday),
    ("cumpleanos", Birthday),
    ("cumple", Birthday),
    ("turning", Birthday),
    ("turns", Birthday),
    ("corporate", Corporate),
    ("company party", Corporate),
    ("company event", Corporate),
    ("company picnic", Corporate),
    ("our company", Corporate),
    ("company", Corporate),
    ("office party", Corporate),
    ("work event", Corporate),
    ("employee appreciation", Corporate),
    ("our employees", Corporate),
    ("team building", Corporate),
    ("product launch", Corporate),
    ("conference", Corporate),
    ("client appreciation", Corporate),
    ("awards banquet", Corporate),
    ("awards dinner", Corporate),
    ("sales kickoff", Corporate),
    ("evento corporativo", Corporate),
    ("evento de la empresa", Corporate),
    ("la empresa", Corporate),
    ("nuestra empresa", Corporate),
    ("mi empresa", Corporate),
    ("la compania", Corporate),
    ("quinceanera", Quinceanera),
    ("quinceaneras", Quinceanera),
    ("quince", Quinceanera),
    ("quince anos", Quinceanera),
    ("xv", Quinceanera),
    ("xv anos", Quinceanera),
    ("mis quince", Quinceanera),
    ("sus quince", Quinceanera),
    ("los quince", Quinceanera),
    ("fiesta de quince", Quinceanera),
    ("prom", SchoolDance),
    ("homecoming", SchoolDance),
    ("homecoming dance", SchoolDance),
    ("school dance", SchoolDance),
    ("winter formal", SchoolDance),
    ("spring dance", SchoolDance),
    ("fall dance", SchoolDance),
    ("student council", SchoolDance),
    ("spring formal", SchoolDance),
    ("sadie hawkins", SchoolDance),
    ("middle school dance", SchoolDance),
    ("father daughter dance", SchoolDance),
    ("mother son dance", SchoolDance),
    ("baile escolar", SchoolDance),
    ("baile de la escuela", SchoolDance),
    ("baile de graduacion", SchoolDance),
    ("anniversary", Anniversary),
    ("wedding anniversary", Anniversary),
    ("vow renewal", Anniversary),
    ("renew our vows", Anniversary),
    ("renewing our vows", Anniversary),
    ("aniversario", Anniversary),
    ("bodas de oro", Anniversary),
    ("bodas de plata", Anniversary),
    ("bar mitzvah", BarMitzvah),
    ("bat mitzvah", BarMitzvah),
    ("bnai mitzvah", BarMitzvah),
    ("mitzvah", BarMitzvah),
    ("holiday party", HolidayParty),
    ("christmas party", HolidayParty),
    ("xmas party", HolidayParty),
    ("new years eve", HolidayParty),
    ("new years party", HolidayParty),
    ("new years eve party", HolidayParty),
    ("nye", HolidayParty),
    ("halloween party", HolidayParty),
    ("holiday celebration", HolidayParty),
    ("hanukkah party", HolidayParty),
    ("fiesta de navidad", HolidayParty),
    ("posada", HolidayParty),
    ("fin de ano", HolidayParty),
    ("nochevieja", HolidayParty),
    ("fourth of july party", HolidayParty),
    ("retirement party", Other),
    ("graduation party", Other),
    ("grad party", Other),
    ("baby shower", Other),
    ("bridal shower", Other),
    ("engagement party", Other),
    ("block party", Other),
    ("fundraiser", Other),
    ("family reunion", Other),
    ("reunion", Other),
    ("festival", Other),
    ("church event", Other),
    ("gender reveal", Other),
    ("bautizo", Other),
    ("primera comunion", Other),
    ("graduacion", Other),
    ("despedida", Other),
    ("celebration of life", Other),
    ("backyard party", Other),
    ("pool party", Other),
];

/// Words that name an event without saying which kind.
const GENERIC: &[(&str, EventType)] = &[
    ("party", Other),
    ("event", Other),
    ("celebration", Other),
    ("gig", Other),
    ("fiesta", Other),
    ("evento", Other),
    ("celebracion", Other),
];

/// When several kinds are named, the more specific wins: a quinceañera is also a birthday,
/// a company's Christmas party is a holiday party, a wedding anniversary mentions a wedding.
const PRIORITY: &[EventType] = &[
    BarMitzvah,
    Quinceanera,
    SchoolDance,
    Anniversary,
    HolidayParty,
    Wedding,
    Birthday,
    Corporate,
    Other,
];

fn phrases() -> &'static Phrases<EventType> {
    static P: OnceLock<Phrases<EventType>> = OnceLock::new();
    P.get_or_init(|| Phrases::new(PHRASES))
}

fn generic() -> &'static Phrases<EventType> {
    static P: OnceLock<Phrases<EventType>> = OnceLock::new();
    P.get_or_init(|| Phrases::new(GENERIC))
}

/// The event named in `doc`, with the phrases that named it.
pub(crate) fn detect(doc: &Doc) -> (Option<EventType>, Vec<String>) {
    let found: Vec<Found<EventType>> = phrases()
        .find(doc)
        .into_iter()
        .filter(|f| !is_number_quince(doc, f))
        .collect();
    let words = |hits: &[Found<EventType>]| -> Vec<String> {
        hits.iter()
            .map(|f| doc.tokens[f.start..f.end].join(" "))
            .collect()
    };
    if let Some(kind) = PRIORITY
        .iter()
        .find(|k| found.iter().any(|f| f.value == **k))
    {
        return (Some(*kind), words(&found));
    }
    let generic = generic().find(doc);
    if generic.is_empty() {
        (None, Vec::new())
    } else {
        (Some(Other), words(&generic))
    }
}

/// "quince" is also the number fifteen: "quince invitados", "el quince de junio".
fn is_number_quince(doc: &Doc, f: &Found<EventType>) -> bool {
    doc.get(f.start) == "quince"
        && f.end - f.start == 1
        && (doc.is(
            f.start + 1,
            &["de", "invitados", "personas", "dias", "minutos", "mil"],
        ) || doc.is(f.start.wrapping_sub(1), &["el", "dia", "y"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<EventType> {
        detect(&Doc::new(text)).0
    }

    #[test]
    fn the_specific_kind_wins() {
        assert_eq!(kind("planning a wedding on June 14th"), Some(Wedding));
        assert_eq!(kind("our 25th wedding anniversary"), Some(Anniversary));
        assert_eq!(
            kind("la quinceañera de mi hija, su cumpleaños"),
            Some(Quinceanera)
        );
        assert_eq!(kind("our company Christmas party"), Some(HolidayParty));
        assert_eq!(kind("a party for my mom"), Some(Other));
        assert_eq!(kind("el quince de junio, una boda"), Some(Wedding));
        assert_eq!(kind("wrong number sorry"), None);
    }
}
