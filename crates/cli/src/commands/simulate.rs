//! `djcalls simulate call`: the exact, signed webhook sequence Twilio would send for one call,
//! posted to a running server — the production path, without a phone.

use crate::cli::{OutcomeArg, SimulateCallArgs};
use anyhow::{Context, bail};
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, deliver_to};

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
