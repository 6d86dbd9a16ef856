//! Concurrent `incoming` load as Twilio produces it: `connections` callers at once, each
//! delivery a distinct, correctly signed call, for a fixed time; the rate and the latency
//! percentiles of the answers.

use super::{caller, post};
use anyhow::bail;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario};
use std::time::{Duration, Instant};

pub struct LoadFigures {
    pub per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

/// Sends distinct `incoming` webhooks for `number` from `connections` concurrent clients for
/// `run_for`; every answer must be 200 with TwiML.
pub async fn incoming_under_load(
    client: &reqwest::Client,
    base: &str,
    number: &PhoneNumber,
    connections: usize,
    run_for: Duration,
) -> anyhow::Result<LoadFigures> {
    let started = Instant::now();
    let deadline = started + run_for;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..connections.max(1) {
        let (client, base, number) = (client.clone(), base.to_string(), number.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let scenario = CallScenario::new(CallOutcome::Answered, caller(), number.clone());
                let incoming = &scenario.deliveries()[0];
                let sent = Instant::now();
                let status = post(&client, &base, incoming.path, &incoming.params).await?;
                latencies.push(sent.elapsed());
                if status != 200 {
                    bail!("incoming answered {status}");
                }
            }
            Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(LoadFigures {
        per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: super::percentile(&latencies, 50),
        p99: super::percentile(&latencies, 99),
        max: latencies.last().copied().unwrap_or_default(),
    })
}
