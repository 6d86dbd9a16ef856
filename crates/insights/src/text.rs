//! Folded words of a transcript and phrase lists matched over them.

use aho_corasick::AhoCorasick;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A transcript as lower-case, accent-free tokens: words, numbers ("1,500" → "1500",
/// "6/14", "1.5"), `$`, and `.` for the end of a sentence.
pub(crate) struct Doc {
    pub tokens: Vec<String>,
    /// `" " + tokens.join(" ") + " "`, where phrases are found.
    joined: String,
    /// Byte offset in `joined` of each token.
    starts: Vec<usize>,
}

/// Lower case, compatibility-decomposed, combining marks dropped ("Año" → "ano").
pub(crate) fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Doc {
    pub fn new(text: &str) -> Doc {
        let tokens = tokenize(&fold(text));
        let mut joined = String::from(" ");
        let mut starts = Vec::with_capacity(tokens.len());
        for t in &tokens {
            starts.push(joined.len());
            joined.push_str(t);
            joined.push(' ');
        }
        Doc {
            tokens,
            joined,
            starts,
        }
    }

    pub fn get(&self, i: usize) -> &str {
        self.tokens.get(i).map(String::as_str).unwrap_or("")
    }

    pub fn is(&self, i: usize, words: &[&str]) -> bool {
        words.contains(&self.get(i))
    }

    fn token_at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s < byte)
    }
}

fn tokenize(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    let mut tokens = Vec::new();
    let mut current = String::new();
    let digit_at = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_digit = i > 0 && digit_at(i - 1) && !current.is_empty();
        if c.is_alphanumeric() {
            current.push(c);
        } else if c == ',' && prev_digit && (1..=3).all(|k| digit_at(i + k)) && !digit_at(i + 4) {
            // thousands separator: skipped
        } else if (c == '.' || c == '/') && prev_digit && digit_at(i + 1) {
            current.push(c);
        } else if c == '\'' || c == '\u{2019}' {
            // "year's" → "years", "don't" → "dont"
        } else {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            if c == '$' {
                tokens.push("$".to_string());
            } else if matches!(c, '.' | '?' | '!' | ';') && tokens.last().is_some_and(|t| t != ".")
            {
                tokens.push(".".to_string());
            }
        }
        i += 1;
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// A list of phrases (folded, words separated by one space), each with a value.
pub(crate) struct Phrases<T: Copy> {
    matcher: AhoCorasick,
    values: Vec<T>,
}

/// One phrase found: tokens `[start, end)` and its value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found<T> {
    pub start: usize,
    pub end: usize,
    pub value: T,
}

impl<T: Copy> Phrases<T> {
    pub fn new(list: &[(&str, T)]) -> Phrases<T> {
        let patterns: Vec<String> = list.iter().map(|(p, _)| format!(" {p} ")).collect();
        Phrases {
            matcher: AhoCorasick::new(&patterns).expect("phrase lists are valid automata"),
            values: list.iter().map(|(_, v)| *v).collect(),
        }
    }

    /// Leftmost-longest, non-overlapping occurrences on whole words, in text order.
    pub fn find(&self, doc: &Doc) -> Vec<Found<T>> {
        let mut all: Vec<(usize, usize, usize)> = self
            .matcher
            .find_overlapping_iter(&doc.joined)
            .map(|m| (m.start() + 1, m.end() - 1, m.pattern().as_usize()))
            .collect();
        all.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let mut found = Vec::new();
        let mut taken_to = 0;
        for (s, e, p) in all {
            if s < taken_to {
                continue;
            }
            taken_to = e;
            let start = doc.token_at(s);
            let end = doc.token_at(e + 1);
            found.push(Found {
                start,
                end,
                value: self.values[p],
            });
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_accents_numbers_and_apostrophes() {
        let doc = Doc::new("Quinceañera on 6/14, budget $1,500.50! New Year's Eve");
        assert_eq!(
            doc.tokens,
            [
                "quinceanera",
                "on",
                "6/14",
                "budget",
                "$",
                "1500.50",
                ".",
                "new",
                "years",
                "eve"
            ]
        );
    }

    #[test]
    fn phrases_match_whole_words_longest_first() {
        let doc = Doc::new("our wedding anniversary party, weddings");
        let p = Phrases::new(&[("wedding", 1), ("wedding anniversary", 2), ("party", 3)]);
        let found: Vec<(usize, usize, i32)> = p
            .find(&doc)
            .iter()
            .map(|f| (f.start, f.end, f.value))
            .collect();
        assert_eq!(found, [(1, 3, 2), (3, 4, 3)]);
    }
}
