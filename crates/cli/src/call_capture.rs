//! `RECORD_CALLS` and `TRANSCRIBE_CALLS`: what is kept of a bridged conversation (SPEC §4, §12).

use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct CallCaptureArgs {
    /// Record bridged calls (the caller hears a recording notice first).
    #[arg(long, env = "RECORD_CALLS", default_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub record_calls: bool,

    /// Transcribe answered calls as they happen with Twilio Real-Time Transcription (both
    /// sides; the caller hears the recording notice). Default: the value of RECORD_CALLS.
    #[arg(long, env = "TRANSCRIBE_CALLS", value_parser = clap::builder::BoolishValueParser::new())]
    pub transcribe_calls: Option<bool>,
}

impl Default for CallCaptureArgs {
    fn default() -> Self {
        Self {
            record_calls: true,
            transcribe_calls: None,
        }
    }
}

impl CallCaptureArgs {
    /// Whether answered calls are transcribed: `TRANSCRIBE_CALLS`, else `RECORD_CALLS`.
    pub fn transcribe_calls(&self) -> bool {
        self.transcribe_calls.unwrap_or(self.record_calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        capture: CallCaptureArgs,
    }

    fn parse(args: &[&str]) -> CallCaptureArgs {
        let mut argv = vec!["probe"];
        argv.extend_from_slice(args);
        Probe::try_parse_from(argv).unwrap().capture
    }

    #[test]
    fn transcription_follows_recording_unless_set() {
        let capture = |record_calls, transcribe_calls| CallCaptureArgs {
            record_calls,
            transcribe_calls,
        };
        assert!(parse(&[]).transcribe_calls());
        assert!(!capture(false, None).transcribe_calls());
        assert!(capture(false, Some(true)).transcribe_calls());
        assert!(!parse(&["--transcribe-calls", "false"]).transcribe_calls());
        assert!(parse(&["--transcribe-calls", "yes"]).transcribe_calls());
    }
}
