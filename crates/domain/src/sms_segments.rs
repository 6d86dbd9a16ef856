//! How many SMS segments a text takes (GSM 03.38 / 3GPP TS 23.038 alphabets, TS 23.040
//! concatenation), as Twilio's segment calculator counts them:
//!
//! - every character in the GSM-7 default alphabet → GSM-7: 160 septets in one segment, 153 per
//!   segment once concatenated (the user data header takes 7); characters of the extension table
//!   (`^ { } \ [ ~ ] | €` and form feed) take two septets (escape + character);
//! - any other character → the whole text is UCS-2: 70 UTF-16 code units in one segment, 67 per
//!   segment once concatenated; a character outside the BMP (most emoji) is two code units.
//!
//! Pure: no I/O.

/// The GSM 03.38 basic character set (one septet each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table (two septets each: escape + character).
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// How a text is encoded on the air.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Units in a text sent as one segment.
    pub fn single_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units per segment of a concatenated text.
    pub fn multi_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

/// A text's size on the air.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentCount {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    pub segments: usize,
}

/// Whether `c` is in the GSM-7 default alphabet or its extension table.
pub fn is_gsm7(c: char) -> bool {
    GSM7_BASIC.contains(c) || GSM7_EXTENDED.contains(c)
}

/// Whether `c` is in the basic GSM-7 set (one septet).
pub fn is_gsm7_basic(c: char) -> bool {
    GSM7_BASIC.contains(c)
}

/// Septets `text` takes in GSM-7, or `None` when a character is outside the alphabet.
pub fn gsm7_septets(text: &str) -> Option<usize> {
    text.chars().try_fold(0usize, |n, c| {
        if GSM7_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM7_EXTENDED.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    })
}

/// The encoding, size and segments of `text`. An empty text is one (empty) segment.
pub fn count(text: &str) -> SegmentCount {
    let (encoding, units) = match gsm7_septets(text) {
        Some(septets) => (Encoding::Gsm7, septets),
        None => (Encoding::Ucs2, text.encode_utf16().count()),
    };
    let segments = if units <= encoding.single_limit() {
        1
    } else {
        units.div_ceil(encoding.multi_limit())
    };
    SegmentCount {
        encoding,
        units,
        segments,
    }
}

/// How many SMS segments `text` takes.
pub fn segments(text: &str) -> usize {
    count(text).segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gsm(units: usize, segments: usize) -> SegmentCount {
        SegmentCount {
            encoding: Encoding::Gsm7,
            units,
            segments,
        }
    }

    fn ucs(units: usize, segments: usize) -> SegmentCount {
        SegmentCount {
            encoding: Encoding::Ucs2,
            units,
            segments,
        }
    }

    // Known values: Twilio's "What the Heck is a Segment?" and its segment calculator
    // (160 / 153 GSM-7 septets, 70 / 67 UCS-2 code units), GSM 03.38 for the tables.
    #[test]
    fn gsm7_boundaries() {
        assert_eq!(count(""), gsm(0, 1));
        assert_eq!(count(&"a".repeat(160)), gsm(160, 1));
        assert_eq!(count(&"a".repeat(161)), gsm(161, 2));
        assert_eq!(count(&"a".repeat(306)), gsm(306, 2));
        assert_eq!(count(&"a".repeat(307)), gsm(307, 3));
        assert_eq!(count(&"a".repeat(459)), gsm(459, 3));
        assert_eq!(count(&"a".repeat(460)), gsm(460, 4));
    }

    #[test]
    fn the_extension_table_takes_two_septets() {
        assert_eq!(count("[x]"), gsm(5, 1));
        assert_eq!(count("€"), gsm(2, 1));
        assert_eq!(count("^{}\\[~]|€"), gsm(18, 1));
        // 159 letters and a euro sign: 161 septets, two segments.
        assert_eq!(count(&format!("{}€", "a".repeat(159))), gsm(161, 2));
    }

    #[test]
    fn accents_of_the_basic_set_stay_gsm7_others_make_ucs2() {
        // é, ñ, ¿, ¡, à, ü are in GSM 03.38's basic set; á, í, ó, ú, ç are not.
        assert_eq!(count("¿Qué tal? ¡Añoranza! à ü").encoding, Encoding::Gsm7);
        assert_eq!(count("canción").encoding, Encoding::Ucs2);
        assert_eq!(count("ç").encoding, Encoding::Ucs2);
        // A typographic apostrophe is not GSM-7 (a common surprise).
        assert_eq!(count("it\u{2019}s"), ucs(4, 1));
    }

    #[test]
    fn ucs2_boundaries_count_utf16_code_units() {
        assert_eq!(count(&"á".repeat(70)), ucs(70, 1));
        assert_eq!(count(&"á".repeat(71)), ucs(71, 2));
        assert_eq!(count(&"á".repeat(134)), ucs(134, 2));
        assert_eq!(count(&"á".repeat(135)), ucs(135, 3));
        // An emoji outside the BMP is a surrogate pair: two code units.
        assert_eq!(count("\u{1f3a7}"), ucs(2, 1));
        assert_eq!(count(&"\u{1f3a7}".repeat(35)), ucs(70, 1));
        assert_eq!(count(&"\u{1f3a7}".repeat(36)), ucs(72, 2));
        // One non-GSM character turns a 100-letter text into two UCS-2 segments.
        assert_eq!(count(&format!("{}ó", "a".repeat(99))), ucs(100, 2));
    }

    #[test]
    fn membership() {
        assert!(is_gsm7('€') && !is_gsm7_basic('€'));
        assert!(is_gsm7_basic('ñ') && !is_gsm7('ó'));
        assert_eq!(gsm7_septets("\u{1f3a7}"), None);
    }
}
