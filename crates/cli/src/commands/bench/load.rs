//! Concurrent `incoming` load as Twilio produces it: `connections` callers at once, each
//! delivery a distinct, correctly signed call from one of many callers, for a fixed time; the
//! rate and the latency percentiles of the answers; and the loop every other concurrent load
//! run uses ([`concurrently`]).
//!
//! The `incoming` deliveries are built and signed before the clock starts and sent over plain
//! keep-alive connections (`wire.rs`), so the timed loop measures the server, not the client.

use super::wire::{Connection, SignedPost, expect_forwarded};
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct LoadFigures {
    pub per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// How long the run lasted: `run_for`, or less if every prepared delivery was sent.
    pub ran: Duration,
    pub prepared: usize,
}

/// Distinct callers the deliveries come from (then they call again).
pub const CALLERS: usize = 10_000;

/// `count` distinct `incoming` deliveries for `number`, signed for `base`.
pub fn prepare_incoming(base: &str, number: &PhoneNumber, count: usize) -> Vec<SignedPost> {
    (0..count)
        .map(|i| {
            let caller = PhoneNumber::from_trusted_e164(format!("+1415555{:04}", i % CALLERS));
            let scenario = CallScenario::new(CallOutcome::Answered, caller, number.clone());
            let incoming = &scenario.deliveries()[0];
            SignedPost::new(base, incoming.path, &incoming.params)
        })
        .collect()
}

/// Sends the `prepared` deliveries from `connections` concurrent connections to `server`
/// until `run_for` has passed (or all were sent); every answer must be 200 with TwiML that
/// forwards the call.
pub async fn incoming_under_load(
    server: SocketAddr,
    prepared: Vec<SignedPost>,
    connections: usize,
    run_for: Duration,
) -> anyhow::Result<LoadFigures> {
    let count = prepared.len();
    let prepared = Arc::new(prepared);
    let next = Arc::new(AtomicUsize::new(0));
    let mut opened = Vec::new();
    for _ in 0..connections.max(1) {
        opened.push(Connection::open(server).await?);
    }
    let started = Instant::now();
    let deadline = started + run_for;
    let mut workers = tokio::task::JoinSet::new();
    for mut connection in opened {
        let (prepared, next) = (prepared.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let Some(post) = prepared.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                let sent = Instant::now();
                let (status, body) = connection.post(post).await?;
                latencies.push(sent.elapsed());
                expect_forwarded(status, &body)?;
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done??);
    }
    let ran = started.elapsed();
    latencies.sort();
    Ok(LoadFigures {
        per_sec: latencies.len() as f64 / ran.as_secs_f64(),
        p50: super::percentile(&latencies, 50),
        p99: super::percentile(&latencies, 99),
        max: latencies.last().copied().unwrap_or_default(),
        ran,
        prepared: count,
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
