//! `GET /api/djdash/dni` under concurrent load (issue 9 part 5): every profile page view asks
//! it, so it is measured beside `/healthz` — the cheapest answer this server gives — at the
//! same concurrency in the same run, and the ratio printed, since absolute rates on a shared
//! machine move from run to run. Each request names 10 of 50 DJs with numbers, as a page
//! listing several DJs does; every answer must be 200 (and, checked once per client, name
//! all 10 numbers).

use super::load::concurrently;
use super::{percentile, setup_dj};
use anyhow::{Context, bail};
use std::time::Duration;

const DJS: usize = 50;
const PER_REQUEST: usize = 10;

struct Rate {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    connections: &[usize],
    run_for: Duration,
) -> anyhow::Result<()> {
    let mut ids = Vec::with_capacity(DJS);
    for _ in 0..DJS {
        ids.push(setup_dj(client, base).await?.0.to_string());
    }
    // Ten different requests, each naming 10 DJs.
    let paths: Vec<String> = (0..10)
        .map(|start| {
            let named: Vec<&str> = (0..PER_REQUEST)
                .map(|k| ids[(start * 7 + k * 5) % DJS].as_str())
                .collect();
            format!("/api/djdash/dni?ids={}", named.join(","))
        })
        .collect();
    let run_for = run_for.max(Duration::from_secs(1));
    println!("DNI lookups ({DJS} DJs with numbers, {PER_REQUEST} per request) beside /healthz:");
    for &connections in connections {
        let health = load(
            client,
            base,
            &["/healthz".to_string()],
            connections,
            run_for,
            0,
        )
        .await?;
        let dni = load(client, base, &paths, connections, run_for, PER_REQUEST).await?;
        println!(
            "  {connections} connections, {}s each: /healthz {:.0}/s (p50 {:?}, p99 {:?}) | \
             dni {:.0}/s (p50 {:?}, p99 {:?}) | dni/healthz {:.2}×",
            run_for.as_secs(),
            health.per_sec,
            health.p50,
            health.p99,
            dni.per_sec,
            dni.p50,
            dni.p99,
            dni.per_sec / health.per_sec.max(f64::MIN_POSITIVE),
        );
    }
    Ok(())
}

/// GETs `paths` in turn from `connections` concurrent clients for `run_for`. Each answer must
/// be 200; each client's first, when `numbers` > 0, must name that many numbers (the rest are
/// checked by status only, so the client's own JSON work does not weigh on the server's rate).
async fn load(
    client: &reqwest::Client,
    base: &str,
    paths: &[String],
    connections: usize,
    run_for: Duration,
    numbers: usize,
) -> anyhow::Result<Rate> {
    let (client, base, paths) = (client.clone(), base.to_string(), paths.to_vec());
    let (latencies, per_sec) = concurrently(connections, run_for, move |worker, turn| {
        let (client, base) = (client.clone(), base.clone());
        let path = paths[(worker + turn) % paths.len()].clone();
        async move {
            let response = client.get(format!("{base}{path}")).send().await?;
            let status = response.status().as_u16();
            let body = response.bytes().await?;
            if status != 200 {
                bail!("{path} answered {status}");
            }
            if turn == 0 && numbers > 0 {
                let json: serde_json::Value =
                    serde_json::from_slice(&body).context("dni answered JSON")?;
                let found = json["numbers"].as_object().map_or(0, |m| m.len());
                if found != numbers {
                    bail!("dni named {found} numbers, not {numbers}");
                }
            }
            Ok(())
        }
    })
    .await?;
    Ok(Rate {
        per_sec,
        p50: percentile(&latencies, 50),
        p99: percentile(&latencies, 99),
    })
}
