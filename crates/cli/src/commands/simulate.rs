//! `djcalls simulate call`: the exact, signed webhook sequence Twilio would send for one call,
//! posted to a running server — the production path, without a phone.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, deliver_to, simulate_transcription};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SimulateCallArgs {
    /// The virtual number called (E.164 or US national).
    #[arg(long)]
    pub to: String,
    /// The caller's number.
    #[arg(long, default_value = "+14155550123")]
    pub from: String,
    #[arg(long, value_enum, default_value = "answered")]
    pub outcome: OutcomeArg,
    /// Seconds of conversation (answered calls).
    #[arg(long, default_value_t = 95)]
    pub talk_seconds: u32,
    /// Seconds the DJ's phone rang.
    #[arg(long, default_value_t = 8)]
    pub ring_seconds: u32,
    /// Seconds of voicemail (voicemail calls).
    #[arg(long, default_value_t = 20)]
    pub voicemail_seconds: u32,
    /// A conversation to send as Real-Time Transcription callbacks (answered calls): lines
    /// `caller: …` and `dj: …`, blank lines and `#` comments ignored (see the README).
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Where the server listens.
    #[arg(
        long,
        env = "DJCALLS_SERVER_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub server: String,
    /// The server's PUBLIC_BASE_URL, which signatures cover (default: --server).
    #[arg(long, env = "PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// The token the server checks signatures with (default: the simulator's).
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OutcomeArg {
    Answered,
    Missed,
    Voicemail,
    Busy,
}

pub async fn call(args: SimulateCallArgs) -> anyhow::Result<()> {
    let to = PhoneNumber::parse(&args.to).map_err(|e| anyhow::anyhow!("--to {e}"))?;
    let from = PhoneNumber::parse(&args.from).map_err(|e| anyhow::anyhow!("--from {e}"))?;
    let outcome = match args.outcome {
        OutcomeArg::Answered => CallOutcome::Answered,
        OutcomeArg::Missed => CallOutcome::Missed,
        OutcomeArg::Voicemail => CallOutcome::Voicemail,
        OutcomeArg::Busy => CallOutcome::Busy,
    };
    let mut scenario = CallScenario::new(outcome, from, to);
    scenario.talk_secs = args.talk_seconds;
    scenario.ring_secs = args.ring_seconds;
    scenario.voicemail_secs = args.voicemail_seconds;
    if let Some(file) = &args.transcript {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --transcript {}", file.display()))?;
        scenario.conversation = simulate_transcription::parse_conversation(&text)
            .map_err(|e| anyhow::anyhow!("--transcript {}: {e}", file.display()))?;
    }
    let server = args.server.trim_end_matches('/');
    let public = args
        .public_base_url
        .as_deref()
        .unwrap_or(server)
        .trim_end_matches('/');
    let token = args
        .twilio_auth_token
        .as_deref()
        .unwrap_or(SIMULATOR_AUTH_TOKEN);
    let deliveries = scenario.deliveries();
    let results = deliver_to(server, public, token, &deliveries)
        .await
        .with_context(|| format!("cannot reach the server at {server}"))?;
    for (path, status) in &results {
        eprintln!("{status} {path}");
    }
    if let Some((path, status)) = results.iter().find(|(_, s)| !(200..300).contains(s)) {
        bail!("the server answered {status} to {path}");
    }
    println!("{}", scenario.call_sid);
    Ok(())
}
