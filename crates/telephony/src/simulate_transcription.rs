//! Real-Time Transcription in simulated calls: a conversation written as text (`caller: …` /
//! `dj: …` lines) and the signed callbacks Twilio would post for it during an answered call
//! (`transcription-started`, one final `transcription-content` per line, `-stopped`).

use crate::paths;
use crate::realtime_transcription::CONTENT_EVENT;
use djcalls_domain::transcript::{Speaker, TranscriptLine};

/// Parses a conversation: one line per utterance, `caller: text` or `dj: text` (any case);
/// blank lines and lines starting with `#` are skipped. Anything else is an error naming the
/// line.
pub fn parse_conversation(text: &str) -> Result<Vec<TranscriptLine>, String> {
    let mut lines = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (who, said) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected `caller: …` or `dj: …`", number + 1))?;
        let speaker = match who.trim().to_ascii_lowercase().as_str() {
            "caller" => Speaker::Caller,
            "dj" => Speaker::Dj,
            other => return Err(format!("line {}: unknown speaker {other:?}", number + 1)),
        };
        let said = said.trim();
        if !said.is_empty() {
            lines.push(TranscriptLine {
                speaker,
                text: said.to_string(),
            });
        }
    }
    Ok(lines)
}

/// The transcription callbacks' own parameters for `conversation`, in Twilio's order; each
/// list is added to the call's common parameters and posted to [`paths::CALL_TRANSCRIPTION`].
pub(crate) fn transcription_params(
    conversation: &[TranscriptLine],
) -> Vec<Vec<(&'static str, String)>> {
    let sid = format!("GT{}", uuid::Uuid::new_v4().simple());
    let event = |name: &str| {
        vec![
            ("TranscriptionSid", sid.clone()),
            ("TranscriptionEvent", name.to_owned()),
            ("LanguageCode", "en-US".to_owned()),
        ]
    };
    let mut out = vec![event("transcription-started")];
    for (index, line) in conversation.iter().enumerate() {
        let mut content = event(CONTENT_EVENT);
        let track = match line.speaker {
            Speaker::Caller => "inbound_track",
            Speaker::Dj => "outbound_track",
        };
        let data = serde_json::json!({"transcript": line.text, "confidence": 0.92});
        content.extend([
            ("TranscriptionData", data.to_string()),
            ("Track", track.to_owned()),
            ("Final", "true".to_owned()),
            ("SequenceId", (index + 1).to_string()),
        ]);
        out.push(content);
    }
    out.push(event("transcription-stopped"));
    out
}

/// Where the callbacks go.
pub const PATH: &str = paths::CALL_TRANSCRIPTION;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_file_reads_as_lines_of_caller_and_dj() {
        let lines = parse_conversation(
            "# a wedding inquiry\nDJ: DJ Mo speaking.\n\ncaller: We're getting married June 14th.\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].speaker, Speaker::Dj);
        assert_eq!(lines[1].text, "We're getting married June 14th.");
        assert!(
            parse_conversation("host: hello")
                .unwrap_err()
                .contains("line 1")
        );
        assert!(parse_conversation("just words").is_err());
    }

    #[test]
    fn each_line_is_one_final_content_event_in_sequence() {
        let lines = parse_conversation("caller: hi\ndj: hello").unwrap();
        let params = transcription_params(&lines);
        assert_eq!(params.len(), 4);
        let value = |p: &Vec<(&str, String)>, k: &str| {
            p.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        };
        assert_eq!(value(&params[1], "Track").as_deref(), Some("inbound_track"));
        assert_eq!(value(&params[2], "SequenceId").as_deref(), Some("2"));
        assert_eq!(
            value(&params[3], "TranscriptionEvent").as_deref(),
            Some("transcription-stopped")
        );
    }
}
