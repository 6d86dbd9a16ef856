//! `djcalls bench`: the voice pipeline's speed, measured end to end over HTTP against an
//! in-process server — how long `incoming` takes to answer TwiML, how many signed webhooks
//! per second one process absorbs, and `incoming` under concurrent load beside the database's
//! own single-row insert rate at the same concurrency (`reference.rs`) — on SQLite or
//! PostgreSQL; with `--case export` (`contacts-export`), the calls (contacts) CSV export's
//! time and peak memory (`export.rs`); with `--case dni`, the public number lookup beside
//! `/healthz` in the same run (`dni.rs`); with `--case analytics`, the analytics answers on a
//! marketplace-sized data set beside the seed's approach (`analytics.rs`).

mod analytics;
mod analytics_clicks;
mod analytics_data;
mod analytics_reports;
mod dni;
mod export;
mod load;
mod reference;
mod wire;

use crate::cli::{BenchArgs, BenchCase};
use anyhow::{Context, bail};
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_app::{App, Settings, SystemClock};
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, SimulatedTelephony, compute_signature};
use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "bench-service-key-0123456789";

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let temp = tempfile::tempdir().context("temp dir")?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.path().join("bench.db").display()));
    let store = crate::config::open_store(&crate::cli::DatabaseArgs::for_url(url.clone())).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server_addr = listener.local_addr()?;
    let base = format!("http://{server_addr}");
    let mut settings = Settings::for_base_url(&base);
    settings.service_key = Some(SecretString::from(KEY.to_string()));
    let payments = crate::config::simulated_payments(&settings);
    let app = App::new(
        store.clone(),
        settings,
        Arc::new(SystemClock),
        Arc::new(SimulatedTelephony::new()),
        payments,
    );
    // As `serve` does: on PostgreSQL every change is also announced to other processes.
    let relay = app.start_relay();
    // The same server loop and connection limits as `serve`.
    let server = tokio::spawn(djcalls_http::serve(
        listener,
        djcalls_http::router(app.clone()),
        djcalls_http::ConnectionLimits::DEFAULT,
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;

    println!(
        "djcalls bench — {:?} ({})",
        store.backend(),
        crate::config::redact_url(&url)
    );
    if args.case.contains(&BenchCase::Voice) {
        voice(&args, &client, (&base, server_addr), (&app, &store), &url).await?;
    }
    for (case, exported) in [
        (BenchCase::Export, export::Exported::Calls),
        (BenchCase::ContactsExport, export::Exported::Contacts),
    ] {
        if args.case.contains(&case) {
            let db = (&store, url.as_str());
            export::run(&client, &base, KEY, db, &args.export_rows, exported).await?;
        }
    }
    if args.case.contains(&BenchCase::Dni) {
        let run_for = Duration::from_secs(args.seconds);
        dni::run(&client, &base, &args.connections, run_for).await?;
    }
    if args.case.contains(&BenchCase::Analytics) {
        let scale = args.analytics_scale.unwrap_or(match store.backend() {
            djcalls_store::Backend::Postgres => 1.0,
            djcalls_store::Backend::Sqlite => 0.1,
        });
        analytics::run(
            &client,
            &base,
            KEY,
            &store,
            &url,
            scale,
            args.analytics_runs,
        )
        .await?;
    }
    app.project_pending().await?;
    server.abort();
    relay.shutdown().await;
    store.close().await;
    Ok(())
}

/// The voice webhooks: latency, throughput, and `incoming` under load.
async fn voice(
    args: &BenchArgs,
    client: &reqwest::Client,
    (base, server_addr): (&str, std::net::SocketAddr),
    (app, store): (&App, &djcalls_store::Store),
    url: &str,
) -> anyhow::Result<()> {
    let (client, base) = (client.clone(), base.to_string());
    let number = setup(&client, &base).await?;

    // Latency: one incoming call at a time, from request to the TwiML answer.
    let mut latencies = Vec::with_capacity(args.incoming as usize);
    for _ in 0..args.incoming {
        let scenario = CallScenario::new(CallOutcome::Answered, caller(), number.clone());
        let incoming = &scenario.deliveries()[0];
        let started = Instant::now();
        let status = post(&client, &base, incoming.path, &incoming.params).await?;
        latencies.push(started.elapsed());
        if status != 200 {
            bail!("incoming answered {status}");
        }
    }
    latencies.sort();
    println!(
        "  incoming → TwiML, {} calls one at a time: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        ms(percentile(&latencies, 50)),
        ms(percentile(&latencies, 95)),
        ms(percentile(&latencies, 99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    );

    // Throughput: whole calls, their webhooks in order, `concurrency` calls in flight.
    let scenarios: Vec<_> = (0..args.calls)
        .map(|i| {
            let outcome = [
                CallOutcome::Answered,
                CallOutcome::Voicemail,
                CallOutcome::Missed,
                CallOutcome::Busy,
            ][i as usize % 4];
            CallScenario::new(outcome, caller(), number.clone()).deliveries()
        })
        .collect();
    let webhooks: usize = scenarios.iter().map(Vec::len).sum();
    let started = Instant::now();
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(scenarios)
        .map(|deliveries| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                for d in &deliveries {
                    let status = post(&client, &base, d.path, &d.params).await?;
                    if !(200..300).contains(&status) {
                        bail!("{} answered {status}", d.path);
                    }
                }
                Ok(())
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed();
    results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    println!(
        "  {} calls = {webhooks} signed webhooks, {} in flight: {:.2} s, {:.0} webhooks/s",
        args.calls,
        args.concurrency,
        elapsed.as_secs_f64(),
        webhooks as f64 / elapsed.as_secs_f64()
    );

    // Concurrent load, each level beside the database's own ceiling measured in this run. The
    // deliveries are signed before the clock starts, twice as many as the ceiling would commit
    // in the time (a run that sends them all ends early and says so).
    let run_for = Duration::from_secs(args.seconds.max(1));
    for &connections in &args.connections {
        let ceiling = reference::single_row_insert_rate(url, connections, run_for).await?;
        let count = prepared_count(ceiling, run_for);
        let prepared = load::prepare_incoming(&base, &number, count);
        let batched_before = store.incoming_batch_sizes();
        let load = load::incoming_under_load(server_addr, prepared, connections, run_for).await?;
        let batched = store.incoming_batch_sizes();
        let early = if load.ran < run_for {
            format!(
                " (all {} pre-signed sent in {:.2} s)",
                load.prepared,
                load.ran.as_secs_f64()
            )
        } else {
            String::new()
        };
        println!(
            "  {connections} connections, {}s each: {:?} single-row INSERT commits {:.0}/s | \
             djcalls incoming {:.0}/s ({:.2}× the ceiling), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms{early}",
            run_for.as_secs(),
            store.backend(),
            ceiling,
            load.per_sec,
            load.per_sec / ceiling,
            ms(load.p50),
            ms(load.p99),
            ms(load.max),
        );
        let batches = batched.batches - batched_before.batches;
        if batches > 0 {
            println!(
                "    PostgreSQL batches: {} deliveries in {batches} batches, {:.1} on average \
                 (largest so far {})",
                batched.deliveries - batched_before.deliveries,
                (batched.deliveries - batched_before.deliveries) as f64 / batches as f64,
                batched.largest,
            );
        }
        if store.projects_incoming() {
            // The calls behind the answers: how far the projection was behind when the load
            // stopped, and that it caught up.
            let waiting = store.incoming_waiting().await?;
            let started = Instant::now();
            app.project_pending().await?;
            let left = store.incoming_waiting().await?;
            println!(
                "    projection: {waiting} accepted calls waiting when the load stopped, all \
                 projected {:.1} ms later ({left} left)",
                ms(started.elapsed()),
            );
        }
    }
    println!(
        "  (load: distinct calls from {} callers, pre-signed, one keep-alive HTTP/1.1 connection each)",
        load::CALLERS
    );
    Ok(())
}

/// Deliveries to sign for a load run: twice what the ceiling commits in `run_for`, within
/// bounds that keep the signing short and the memory small.
fn prepared_count(ceiling: f64, run_for: Duration) -> usize {
    let wanted = ceiling * run_for.as_secs_f64() * 2.0;
    (wanted as usize).clamp(2_000, 250_000)
}

fn caller() -> PhoneNumber {
    PhoneNumber::from_trusted_e164("+14155550123")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) * p) / 100]
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    params: &[(String, String)],
) -> anyhow::Result<u16> {
    let url = format!("{base}{path}");
    let response = client
        .post(&url)
        .header(
            "X-Twilio-Signature",
            compute_signature(SIMULATOR_AUTH_TOKEN, &url, params),
        )
        .form(params)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// A published DJ with a virtual number, through the API.
async fn setup(client: &reqwest::Client, base: &str) -> anyhow::Result<PhoneNumber> {
    Ok(setup_dj(client, base).await?.1)
}

/// [`setup`], with the DJ's profile id.
async fn setup_dj(
    client: &reqwest::Client,
    base: &str,
) -> anyhow::Result<(uuid::Uuid, PhoneNumber)> {
    let id = uuid::Uuid::new_v4();
    let slug = format!("bench-{}", &id.simple().to_string()[..8]);
    let put = client
        .put(format!("{base}/api/djdash/profiles/{id}"))
        .bearer_auth(KEY)
        .json(&json!({"dj_name": "Bench DJ", "dj_slug": slug, "real_phone_number": "+13125550142"}))
        .send()
        .await?;
    if !put.status().is_success() {
        bail!("profile: {}", put.status());
    }
    let pool = client
        .post(format!("{base}/api/djdash/virtual-numbers/pool"))
        .bearer_auth(KEY)
        .json(&json!({"count": 1, "area_code": "212"}))
        .send()
        .await?;
    if !pool.status().is_success() {
        bail!("pool: {}", pool.status());
    }
    let assigned: Value = client
        .post(format!("{base}/api/djdash/virtual-numbers"))
        .bearer_auth(KEY)
        .json(&json!({"dj_profile_id": id}))
        .send()
        .await?
        .json()
        .await?;
    let number = assigned["virtualNumber"]["virtual_number"]
        .as_str()
        .context("no virtual number assigned")?;
    // Published last, keeping that number: the widget shows only published profiles' numbers.
    let publish = client
        .put(format!("{base}/api/djdash/profiles/{id}"))
        .bearer_auth(KEY)
        .json(&json!({"dj_name": "Bench DJ", "dj_slug": slug, "is_published": true}))
        .send()
        .await?;
    if !publish.status().is_success() {
        bail!("publish: {}", publish.status());
    }
    Ok((id, PhoneNumber::from_trusted_e164(number)))
}
