//! English or Spanish, from the share of each language's common words.

use crate::insights::Language;
use crate::text::Doc;

#[rustfmt::skip]
const ENGLISH: &[&str] = &[
    "the", "and", "to", "i", "is", "we", "my", "for", "you", "it", "of", "on", "in", "this",
    "that", "have", "hi", "hello", "about", "are", "our", "be", "with", "your", "im", "its",
    "would", "like", "looking", "call", "back", "thanks", "thank", "please", "do", "what",
    "how", "much", "party", "wedding", "birthday", "guests", "people", "just", "was", "if",
    "can", "will", "there", "so", "me", "at", "number", "hey", "yeah", "were", "want",
];

#[rustfmt::skip]
const SPANISH: &[&str] = &[
    "el", "la", "de", "que", "y", "en", "un", "una", "para", "es", "los", "las", "por", "con",
    "mi", "hola", "quiero", "boda", "fiesta", "necesito", "somos", "del", "al", "buenas",
    "gracias", "buenos", "dias", "tardes", "estoy", "llamo", "llamando", "me", "se", "cuanto",
    "cobra", "invitados", "personas", "hija", "hijo", "quince", "nos", "su", "usted", "ustedes",
    "favor", "numero", "tiene", "fecha", "como", "pero", "muy", "esta", "este", "habla",
    "quisiera", "saber", "sus", "disponible", "anos", "cumpleanos", "evento",
];

pub(crate) fn detect(doc: &Doc) -> Language {
    let (mut en, mut es) = (0u32, 0u32);
    for t in &doc.tokens {
        let t = t.as_str();
        // "me" is common to both and decides nothing.
        if ENGLISH.contains(&t) && t != "me" {
            en += 1;
        }
        if SPANISH.contains(&t) && t != "me" {
            es += 1;
        }
    }
    if es > en { Language::Es } else { Language::En }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_spanish_are_told_apart() {
        let en = Doc::new("Hi, we're planning a wedding on June 14th, about 150 guests");
        assert_eq!(detect(&en), Language::En);
        let es = Doc::new("Hola, quiero saber cuánto cobra para la quinceañera de mi hija");
        assert_eq!(detect(&es), Language::Es);
        assert_eq!(detect(&Doc::new("")), Language::En);
    }
}
