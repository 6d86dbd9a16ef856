//! A call's conversation as Real-Time Transcription gives it (SPEC §12): final segments, each
//! said by the caller or the DJ and numbered by Twilio's `SequenceId`, assembled in sequence
//! order whatever order they arrived in. The assembled text is capped so an endless call cannot
//! grow a call record without bound.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most text (UTF-8 bytes) a call's transcript keeps: 64 KiB. Later lines are dropped and
/// the line that crosses the cap is cut at a character boundary.
pub const TRANSCRIPT_CAP_BYTES: usize = 64 * 1024;

/// Where Real-Time Transcription of a call is (migration 0033): `transcription-started`, then
/// `-stopped` (or `-error`). It only moves forward: a late `started` never reopens a stopped one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveTranscription {
    Started,
    Stopped,
}

impl LiveTranscription {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveTranscription::Started => "started",
            LiveTranscription::Stopped => "stopped",
        }
    }
}

/// Who said a line: Twilio's `inbound_track` is the caller, `outbound_track` the DJ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Caller,
    Dj,
}

impl Speaker {
    /// The stored (and JSON) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Caller => "caller",
            Speaker::Dj => "dj",
        }
    }

    /// The stored name back; `None` for anything else.
    pub fn from_stored(value: &str) -> Option<Self> {
        match value {
            "caller" => Some(Speaker::Caller),
            "dj" => Some(Speaker::Dj),
            _ => None,
        }
    }
}

/// One line of the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptLine {
    pub speaker: Speaker,
    pub text: String,
}

/// One final segment: what `speaker` said, `sequence_id`th in the call's transcription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptSegment {
    pub sequence_id: u32,
    pub speaker: Speaker,
    pub text: String,
}

/// The conversation from `segments` in any order, duplicates included: one line per sequence
/// id (the first seen wins; Twilio never sends two texts for one id), in sequence order, at
/// most [`TRANSCRIPT_CAP_BYTES`] of text.
pub fn assemble<'a>(
    segments: impl IntoIterator<Item = &'a TranscriptSegment>,
) -> Vec<TranscriptLine> {
    let mut by_sequence: BTreeMap<u32, &TranscriptSegment> = BTreeMap::new();
    for segment in segments {
        by_sequence.entry(segment.sequence_id).or_insert(segment);
    }
    let mut room = TRANSCRIPT_CAP_BYTES;
    let mut lines = Vec::new();
    for segment in by_sequence.values() {
        let text = segment.text.trim();
        if text.is_empty() {
            continue;
        }
        let kept = cut_at_char_boundary(text, room);
        if !kept.is_empty() {
            lines.push(TranscriptLine {
                speaker: segment.speaker,
                text: kept.to_string(),
            });
        }
        if kept.len() < text.len() {
            break;
        }
        room -= kept.len();
    }
    lines
}

/// The lines as plain text, one per line, for the analysis.
pub fn plain_text(lines: &[TranscriptLine]) -> String {
    lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn cut_at_char_boundary(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
#[path = "transcript_tests.rs"]
mod tests;
