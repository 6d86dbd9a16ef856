//! Follow-up settings (SPEC §8, §13): how long a call must last for the thank-you text, and
//! whether missed and voicemail calls get a text.

use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct FollowupArgs {
    /// An answered call must last longer than this for the follow-up SMS.
    #[arg(long, env = "FOLLOWUP_MIN_TALK_SECONDS", default_value_t = 10)]
    pub followup_min_talk_seconds: u32,

    /// Text callers the DJ missed (no answer, busy or voicemail) once, with the DJ's `missed`
    /// text, under every follow-up rule (once per call, opt-out, quiet hours, one a day).
    #[arg(long, env = "FOLLOWUP_MISSED_CALLS", default_value_t = false, action = clap::ArgAction::Set)]
    pub followup_missed_calls: bool,
}
