//! Call insights: what a caller wants, read from a transcript, and redaction of the
//! numbers nobody may store.
//!
//! Pure: no I/O, no clock. The call's local date is a parameter of [`analyse`].
//!
//! Crate choices (see README.md in this crate for the longer version):
//! - `aho-corasick` for every phrase list (event words, questions, cue words): one pass per
//!   list over the text, whatever the number of phrases.
//! - `unicode-normalization` (NFKD, then combining marks dropped) so "quinceañera",
//!   "quinceanera" and "QUINCEAÑERA" read alike.
//! - `jiff` (already the workspace's calendar) for resolving dates against the call's day.
//! - No language-detection crate: only English and Spanish are needed and transcripts are
//!   short; counting each language's common words is exact enough on the corpus
//!   (`whatlang`'s trigram models are unreliable on a dozen words of speech).
//! - Date phrases, number words and money are parsed here: the phrases of speech ("the 14th
//!   of June", "ciento cincuenta", "two grand") are outside general date/number parsers.

mod analyse;
mod dates;
mod event;
mod insights;
mod intent;
mod language;
mod numbers;
mod quantities;
mod redact;
mod score;
mod text;
mod venue;

pub use analyse::{MAX_TRANSCRIPT_BYTES, analyse};
pub use insights::{EventType, Insights, Language};
pub use redact::{MAX_GAP, MAX_WORD_GAP, REDACTED, luhn_valid, redact};
