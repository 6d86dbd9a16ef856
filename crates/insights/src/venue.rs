//! The venue: a capitalised name after "at"/"in"/"en" that names a place ("at the Grand
//! Ballroom", "at Riverside Country Club", "en el salón Los Arcos").

use crate::text::fold;

const CUES: &[&str] = &["at", "in", "en", "venue"];
const ARTICLES: &[&str] = &["the", "el", "la", "los", "las", "is", "called", "es"];
const CONNECTORS: &[&str] = &[
    "of", "the", "and", "&", "de", "del", "la", "los", "las", "on",
];
#[rustfmt::skip]
const PLACE_WORDS: &[&str] = &[
    "hall", "club", "ballroom", "hotel", "inn", "barn", "farm", "estate", "gardens", "garden",
    "winery", "vineyard", "vineyards", "center", "centre", "park", "lodge", "manor", "resort",
    "church", "brewery", "loft", "pavilion", "terrace", "museum", "mansion", "chapel", "venue",
    "golf", "yacht", "restaurant", "tavern", "plaza", "ranch", "gym", "gymnasium", "cafeteria",
    "school", "academy", "marriott", "hilton", "hyatt", "sheraton", "westin", "salon",
    "hacienda", "quinta", "jardin", "rancho", "iglesia", "casino", "terraza", "auditorium",
    "country", "room", "house", "grill", "center", "library", "legion", "vfw",
];

/// The first place named after a cue word, as written.
pub(crate) fn venue(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (0..words.len()).find_map(|i| {
        if !CUES.contains(&fold(bare(words[i])).as_str()) || ends_clause(words[i]) {
            return None;
        }
        let mut j = i + 1;
        while j < words.len() && ARTICLES.contains(&fold(bare(words[j])).as_str()) && j < i + 3 {
            j += 1;
        }
        name_from(&words[j.min(words.len())..])
    })
}

fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '\'')
}

fn ends_clause(word: &str) -> bool {
    word.ends_with([',', '.', '?', '!', ';', ':'])
}

fn name_from(words: &[&str]) -> Option<String> {
    let mut name: Vec<&str> = Vec::new();
    let mut capitalised = 0;
    let mut place = false;
    for w in words {
        let b = bare(w);
        let folded = fold(b);
        let is_cap = b.chars().next().is_some_and(char::is_uppercase);
        let is_place = PLACE_WORDS.contains(&folded.as_str());
        let is_connector = !name.is_empty() && CONNECTORS.contains(&folded.as_str());
        if b.is_empty() || !(is_cap || is_place || is_connector) {
            break;
        }
        name.push(b);
        capitalised += usize::from(is_cap);
        place |= is_place;
        if ends_clause(w) {
            break;
        }
    }
    while name
        .last()
        .is_some_and(|w| CONNECTORS.contains(&fold(w).as_str()))
    {
        name.pop();
    }
    (place && capitalised > 0 && !name.is_empty()).then(|| name.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venues_are_named_places() {
        assert_eq!(
            venue("at the Grand Ballroom downtown").as_deref(),
            Some("Grand Ballroom")
        );
        assert_eq!(
            venue("It's at Riverside Country Club, in June").as_deref(),
            Some("Riverside Country Club")
        );
        assert_eq!(
            venue("la fiesta es en el salón Los Arcos").as_deref(),
            Some("salón Los Arcos")
        );
        assert_eq!(venue("at our house in Houston"), None);
        assert_eq!(venue("in June"), None);
    }
}
