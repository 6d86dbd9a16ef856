//! Rendering TwiML verbs to XML: attribute order, self-closing verbs and escaping.

use super::{Dial, Method, Verb};
use std::fmt::Write as _;

/// Attribute values, rendered in the order given; `None` is left out.
type Attrs<'a> = [(&'a str, Option<String>)];

fn open(out: &mut String, tag: &str, attrs: &Attrs<'_>) {
    out.push('<');
    out.push_str(tag);
    for (name, value) in attrs {
        if let Some(value) = value {
            let _ = write!(out, r#" {name}="{}""#, escape(value));
        }
    }
}

fn text_element(out: &mut String, tag: &str, attrs: &Attrs<'_>, text: &str) {
    open(out, tag, attrs);
    let _ = write!(out, ">{}</{tag}>", escape(text));
}

fn flag(value: Option<bool>) -> Option<String> {
    value.map(|b| b.to_string())
}

fn num(value: Option<u32>) -> Option<String> {
    value.map(|n| n.to_string())
}

fn method(value: Option<Method>) -> Option<String> {
    value.map(|m| m.as_str().to_owned())
}

impl Verb {
    pub(super) fn write(&self, out: &mut String) {
        match self {
            Verb::Say(say) => text_element(
                out,
                "Say",
                &[
                    ("voice", say.voice.clone()),
                    ("language", say.language.clone()),
                ],
                &say.text,
            ),
            Verb::Play(play) => text_element(out, "Play", &[], &play.url),
            Verb::Pause(pause) => {
                open(
                    out,
                    "Pause",
                    &[("length", Some(pause.length_secs.to_string()))],
                );
                out.push_str("/>");
            }
            Verb::Dial(dial) => dial.write(out),
            Verb::Record(record) => {
                open(
                    out,
                    "Record",
                    &[
                        ("action", record.action.clone()),
                        ("method", method(record.method)),
                        ("maxLength", num(record.max_length_secs)),
                        ("playBeep", flag(record.play_beep)),
                        ("transcribe", flag(record.transcribe)),
                        ("transcribeCallback", record.transcribe_callback.clone()),
                        (
                            "recordingStatusCallback",
                            record.recording_status_callback.clone(),
                        ),
                        ("timeout", num(record.timeout_secs)),
                        ("finishOnKey", record.finish_on_key.clone()),
                    ],
                );
                out.push_str("/>");
            }
            Verb::Gather(gather) => {
                open(
                    out,
                    "Gather",
                    &[
                        ("numDigits", num(gather.num_digits)),
                        ("action", gather.action.clone()),
                        ("method", method(gather.method)),
                        ("timeout", num(gather.timeout_secs)),
                    ],
                );
                out.push('>');
                for prompt in &gather.prompts {
                    prompt.write(out);
                }
                out.push_str("</Gather>");
            }
            Verb::Hangup => out.push_str("<Hangup/>"),
            Verb::StartTranscription(transcription) => {
                out.push_str("<Start>");
                open(
                    out,
                    "Transcription",
                    &[
                        (
                            "statusCallbackUrl",
                            transcription.status_callback_url.clone(),
                        ),
                        ("track", transcription.track.clone()),
                        ("partialResults", flag(transcription.partial_results)),
                    ],
                );
                out.push_str("/></Start>");
            }
            Verb::Message(message) => text_element(out, "Message", &[], &message.body),
            Verb::Redirect(redirect) => text_element(
                out,
                "Redirect",
                &[("method", method(redirect.method))],
                &redirect.url,
            ),
        }
    }
}

impl Dial {
    pub(super) fn write(&self, out: &mut String) {
        open(
            out,
            "Dial",
            &[
                ("action", self.action.clone()),
                ("method", method(self.method)),
                ("timeout", num(self.timeout_secs)),
                ("callerId", self.caller_id.clone()),
                ("record", self.record.map(|r| r.as_str().to_owned())),
                (
                    "recordingStatusCallback",
                    self.recording_status_callback.clone(),
                ),
                (
                    "recordingStatusCallbackEvent",
                    self.recording_status_callback_event.clone(),
                ),
                ("answerOnBridge", flag(self.answer_on_bridge)),
            ],
        );
        out.push('>');
        for number in &self.numbers {
            text_element(
                out,
                "Number",
                &[
                    ("url", number.url.clone()),
                    ("method", method(number.method)),
                ],
                &number.number,
            );
        }
        out.push_str("</Dial>");
    }
}

/// Escapes text and attribute values alike, and drops characters XML 1.0 cannot carry. The one
/// markup escaper of the workspace: it is safe for HTML text and quoted attributes too.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
