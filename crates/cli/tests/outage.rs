//! Calls connect through a real PostgreSQL outage (SPEC §10): a private cluster this test
//! starts and stops, the built `djcalls serve` on it as an ordinary role that owns its
//! database, and real calls (`djcalls simulate call`) placed while the server is down.
//!
//! 1. Down, then back with the same process: the call is spooled and applied once the
//!    database answers, without anyone's help.
//! 2. Down, calls placed, the process killed (-9) during the outage and started again while
//!    the database is still away (it routes from the snapshot beside the spool); the database
//!    comes back and the new process applies what both had acknowledged.
//!
//! Meanwhile `/readyz` and the API answer 503, `incoming` still forwards to the DJ's real
//! number. In the end: every call once, with its true status, one follow-up job, nothing twice.
//!
//! Skipped without PostgreSQL's server programs (unless `DJCALLS_REQUIRE_POSTGRES=1`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, compute_signature, paths};
use djcalls_testkit::PrivateCluster;
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};
use support::{DJ, DJ_REAL_NUMBER, SERVICE_KEY, api, dj_with_number, serve, simulate_call};

/// A database as a managed PostgreSQL hands it out: a login that owns it and nothing else.
async fn owned_database(cluster: &PrivateCluster) -> String {
    let mut admin = PgConnection::connect(&cluster.admin_url()).await.unwrap();
    for sql in [
        "CREATE ROLE djcalls LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        "CREATE DATABASE djcalls OWNER djcalls",
    ] {
        sqlx::query(sql).execute(&mut admin).await.unwrap();
    }
    admin.close().await.unwrap();
    cluster.url_as("djcalls", "djcalls")
}

async fn get(url: String) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(SERVICE_KEY)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn spooled(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "entry"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// The DJ's calls once the spool is empty (everything applied; replay runs every second),
/// waiting up to 30 s.
async fn calls_once_applied(base: &str, spool: &std::path::Path) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let (status, body) = get(format!("{base}/api/djdash/calls?dj_profile_id={DJ}")).await;
        if status == 200 && spooled(spool) == 0 {
            let body: Value = serde_json::from_str(&body).unwrap();
            return body["calls"].as_array().cloned().unwrap_or_default();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the spool was not applied: {} entries left; {status} {body}",
            spooled(spool)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn call<'a>(calls: &'a [Value], sid: &str) -> Option<&'a Value> {
    calls.iter().find(|c| c["call_sid"] == sid)
}

/// One signed `incoming` by hand, to read its TwiML.
async fn incoming_twiml(base: &str, to: &str) -> (u16, String) {
    let from = PhoneNumber::parse("+14155550177").unwrap();
    let scenario = CallScenario::new(CallOutcome::Missed, from, PhoneNumber::parse(to).unwrap());
    let incoming = &scenario.deliveries()[0];
    assert_eq!(incoming.path, paths::CALL_INCOMING);
    let url = format!("{base}{}", incoming.path);
    let response = reqwest::Client::new()
        .post(&url)
        .header(
            "X-Twilio-Signature",
            compute_signature(SIMULATOR_AUTH_TOKEN, &url, &incoming.params),
        )
        .form(&incoming.params)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_placed_while_postgres_is_down_connect_and_are_recorded_once_even_across_a_kill() {
    let Some(cluster) = PrivateCluster::start() else {
        return;
    };
    let url = owned_database(&cluster).await;
    let spool = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", url),
        ("DJCALLS_SPOOL_DIR", spool.path().display().to_string()),
        ("RUST_LOG", "info".to_string()),
    ];
    let first = serve(&env);
    let number = dj_with_number(&first.base, "Outage DJ").await;

    // 1. Down, then back: the running process applies what it spooled.
    cluster.stop();
    let answered = simulate_call(&first.base, &number, "answered").await;
    assert!(
        spooled(spool.path()) >= 4,
        "incoming, dial, recording, status"
    );
    cluster.resume();
    let calls = calls_once_applied(&first.base, spool.path()).await;
    assert_eq!(call(&calls, &answered).unwrap()["call_status"], "completed");

    // 2. Down again: the service says so, and still connects callers.
    cluster.stop();
    let (status, _) = get(format!("{}/readyz", first.base)).await;
    assert_eq!(status, 503);
    let (status, body) = get(format!(
        "{}/api/djdash/calls?dj_profile_id={DJ}",
        first.base
    ))
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("database_unavailable"), "{body}");
    let (status, twiml) = incoming_twiml(&first.base, &number).await;
    assert_eq!(status, 200);
    assert!(twiml.contains("<Dial"), "{twiml}");
    assert!(twiml.contains(DJ_REAL_NUMBER), "{twiml}");
    let voicemail = simulate_call(&first.base, &number, "voicemail").await;
    // Killed during the outage: what it acknowledged is only in the spool.
    drop(first);

    // Started again while the database is still away: it connects calls from the routing
    // snapshot the first process kept beside the spool, and spools them too.
    let second = serve(&env);
    assert!(
        second
            .start_up_log
            .iter()
            .any(|l| l.contains("routing snapshot")),
        "{:?}",
        second.start_up_log
    );
    let (status, twiml) = incoming_twiml(&second.base, &number).await;
    assert_eq!(status, 200);
    assert!(twiml.contains(DJ_REAL_NUMBER), "{twiml}");
    let missed = simulate_call(&second.base, &number, "missed").await;

    cluster.resume();
    let calls = calls_once_applied(&second.base, spool.path()).await;
    assert_eq!(
        calls.len(),
        5,
        "answered, voicemail, missed and the two hand-made calls"
    );
    assert_eq!(call(&calls, &missed).unwrap()["call_status"], "no-answer");
    let vm = call(&calls, &voicemail).unwrap();
    assert_eq!(vm["call_status"], "voicemail");
    assert_eq!(vm["voicemail_left"], true);
    let first_call = call(&calls, &answered).unwrap();
    assert_eq!(first_call["talk_seconds"].as_i64(), Some(95));
    // Follow-up decided once: only the answered call qualifies (missed-call texts are off).
    let jobs = api(
        reqwest::Method::GET,
        format!("{}/api/djdash/admin/jobs", second.base),
        None,
    )
    .await;
    let counts = &jobs["counts"];
    let total: i64 = ["queued", "running", "done", "dead"]
        .iter()
        .map(|k| counts[k].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total, 1, "{jobs}");
}
