//! A small typed TwiML builder: the verbs djcalls answers Twilio with, rendered as escaped XML.

mod render;

pub use render::escape;

/// HTTP method Twilio uses for a verb's callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// `<Dial record="…">` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialRecording {
    DoNotRecord,
    RecordFromAnswer,
    RecordFromRinging,
    RecordFromAnswerDual,
    RecordFromRingingDual,
}

impl DialRecording {
    fn as_str(self) -> &'static str {
        match self {
            DialRecording::DoNotRecord => "do-not-record",
            DialRecording::RecordFromAnswer => "record-from-answer",
            DialRecording::RecordFromRinging => "record-from-ringing",
            DialRecording::RecordFromAnswerDual => "record-from-answer-dual",
            DialRecording::RecordFromRingingDual => "record-from-ringing-dual",
        }
    }
}

/// A whole TwiML document: `<Response>` and its verbs, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    verbs: Vec<Verb>,
}

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    Say(Say),
    Play(Play),
    Pause(Pause),
    Dial(Dial),
    Record(Record),
    Gather(Gather),
    Hangup,
    Redirect(Redirect),
    /// `<Message>`: a reply to an inbound text.
    Message(Message),
    /// `<Start><Transcription/></Start>`: Real-Time Transcription of the call from here on.
    StartTranscription(Transcription),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Say {
    pub text: String,
    pub voice: Option<String>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Play {
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pause {
    pub length_secs: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dial {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub timeout_secs: Option<u32>,
    pub caller_id: Option<String>,
    pub record: Option<DialRecording>,
    pub recording_status_callback: Option<String>,
    /// Space-separated events, e.g. `"completed"` or `"in-progress completed absent"`.
    pub recording_status_callback_event: Option<String>,
    pub answer_on_bridge: Option<bool>,
    pub numbers: Vec<Number>,
}

/// `<Number>` inside `<Dial>`; `url` is TwiML run on the called party before bridging (a whisper).
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub number: String,
    pub url: Option<String>,
    pub method: Option<Method>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub max_length_secs: Option<u32>,
    pub play_beep: Option<bool>,
    pub transcribe: Option<bool>,
    pub transcribe_callback: Option<String>,
    pub recording_status_callback: Option<String>,
    pub timeout_secs: Option<u32>,
    pub finish_on_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gather {
    pub num_digits: Option<u32>,
    pub action: Option<String>,
    pub method: Option<Method>,
    pub timeout_secs: Option<u32>,
    /// Prompts played while waiting for digits (`Say`, `Play` or `Pause` only).
    pub prompts: Vec<Verb>,
}

/// `<Transcription>` inside `<Start>`; attribute names as in Twilio's `<Transcription>` noun
/// (<https://www.twilio.com/docs/voice/twiml/transcription>; twilio-python's
/// `twiml/voice_response.py` `Transcription` takes the same: `status_callback_url`, `track`,
/// `partial_results`, `language_code`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcription {
    pub status_callback_url: Option<String>,
    /// `inbound_track`, `outbound_track` or `both_tracks`.
    pub track: Option<String>,
    /// Whether Twilio also posts interim (non-final) results.
    pub partial_results: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    pub url: String,
    pub method: Option<Method>,
}

impl Response {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any verb.
    pub fn verb(mut self, verb: Verb) -> Self {
        self.verbs.push(verb);
        self
    }

    pub fn say(self, say: Say) -> Self {
        self.verb(Verb::Say(say))
    }

    pub fn play(self, url: impl Into<String>) -> Self {
        self.verb(Verb::Play(Play { url: url.into() }))
    }

    pub fn pause(self, length_secs: u32) -> Self {
        self.verb(Verb::Pause(Pause { length_secs }))
    }

    pub fn dial(self, dial: Dial) -> Self {
        self.verb(Verb::Dial(dial))
    }

    pub fn record(self, record: Record) -> Self {
        self.verb(Verb::Record(record))
    }

    pub fn gather(self, gather: Gather) -> Self {
        self.verb(Verb::Gather(gather))
    }

    pub fn start_transcription(self, transcription: Transcription) -> Self {
        self.verb(Verb::StartTranscription(transcription))
    }

    pub fn hangup(self) -> Self {
        self.verb(Verb::Hangup)
    }

    pub fn redirect(self, url: impl Into<String>, method: Option<Method>) -> Self {
        self.verb(Verb::Redirect(Redirect {
            url: url.into(),
            method,
        }))
    }

    pub fn message(self, body: impl Into<String>) -> Self {
        self.verb(Verb::Message(Message { body: body.into() }))
    }

    pub fn verbs(&self) -> &[Verb] {
        &self.verbs
    }

    /// The document, ready to send with `Content-Type: text/xml`.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        if self.verbs.is_empty() {
            out.push_str("<Response/>");
            return out;
        }
        out.push_str("<Response>");
        for verb in &self.verbs {
            verb.write(&mut out);
        }
        out.push_str("</Response>");
        out
    }
}

impl Say {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            voice: None,
            language: None,
        }
    }

    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = Some(voice.into());
        self
    }

    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }
}

impl Number {
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            url: None,
            method: None,
        }
    }

    /// TwiML the called party hears before the calls are bridged.
    pub fn whisper_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_response_is_a_self_closing_element() {
        assert_eq!(
            Response::new().to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
        );
    }

    #[test]
    fn markup_characters_in_text_and_attributes_are_escaped() {
        let xml = Response::new()
            .say(Say::new(r#"Tom & Jerry's <"DJs">"#).voice("a\"b"))
            .to_xml();
        assert!(xml.contains(
            r#"<Say voice="a&quot;b">Tom &amp; Jerry&apos;s &lt;&quot;DJs&quot;&gt;</Say>"#
        ));
    }

    #[test]
    fn control_characters_are_dropped_but_newlines_kept() {
        assert_eq!(escape("a\u{0}b\u{7}c\nd"), "abc\nd");
    }

    #[test]
    fn a_message_reply_is_escaped_text() {
        assert_eq!(
            Response::new().message("Msg & data <rates>").to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>Msg &amp; data &lt;rates&gt;</Message></Response>"#
        );
    }

    #[test]
    fn unset_attributes_are_left_out() {
        let xml = Response::new().record(Record::default()).to_xml();
        assert!(xml.ends_with("<Response><Record/></Response>"));
    }
}
