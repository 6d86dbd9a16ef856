//! Concurrent `incoming` load as Twilio produces it: `connections` callers at once, each
//! delivery a distinct, correctly signed call, for a fixed time; the rate and the latency
//! percentiles of the answers; and the loop every concurrent load run uses ([`concurrently`]).

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
    let (client, base, number) = (client.clone(), base.to_string(), number.clone());
    let (latencies, per_sec) = concurrently(connections, run_for, move |_, _| {
        let (client, base, number) = (client.clone(), base.clone(), number.clone());
        async move {
            let scenario = CallScenario::new(CallOutcome::Answered, caller(), number);
            let incoming = &scenario.deliveries()[0];
            let status = post(&client, &base, incoming.path, &incoming.params).await?;
            if status != 200 {
                bail!("incoming answered {status}");
            }
            Ok(())
        }
    })
    .await?;
    Ok(LoadFigures {
        per_sec,
        p50: super::percentile(&latencies, 50),
        p99: super::percentile(&latencies, 99),
        max: latencies.last().copied().unwrap_or_default(),
    })
}

/// Runs `request(client, turn)` from `connections` concurrent clients, each one request after
/// another, until `run_for` has passed; any error ends the run. Returns every request's
/// latency, sorted, and the rate per second.
pub async fn concurrently<F, Fut>(
    connections: usize,
    run_for: Duration,
    request: F,
) -> anyhow::Result<(Vec<Duration>, f64)>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Instant::now();
    let deadline = started + run_for;
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..connections.max(1) {
        let request = request.clone();
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut turn = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                request(worker, turn).await?;
                latencies.push(sent.elapsed());
                turn += 1;
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done??);
    }
    let per_sec = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    Ok((latencies, per_sec))
}
