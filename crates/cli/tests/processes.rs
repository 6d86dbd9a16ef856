//! Several `djcalls serve` processes on one PostgreSQL database behave as one service
//! (SPEC §10). Two real processes of the built binary, A and B:
//! - a job enqueued through A (which runs no jobs) is started by B within 1 s, although B
//!   polls only once an hour: only the NOTIFY relay can have woken it;
//! - a dashboard on B sees a call delivered to A within 1 s;
//! - failed sign-ins count together, whichever process takes them.
//!
//! Skipped without PostgreSQL (unless `DJCALLS_REQUIRE_POSTGRES=1`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;

use djcalls_testkit::TestDb;
use futures::StreamExt;
use reqwest::redirect::Policy;
use serde_json::Value;
use std::time::{Duration, Instant};
use support::{Served, api, dj_with_number, djcalls, serve_until, simulate_call};

const DJ: &str = support::DJ;
/// B's poll interval: far longer than any wait below.
const POLL_SECONDS: &str = "3600";

/// A: runs no jobs. B: runs jobs, but polls only once an hour. Each is ready once its relay
/// listens for the other's announcements.
fn pair(db: &TestDb) -> (Served, Served) {
    let start = |setting: (&str, &str)| {
        let env = [
            ("DATABASE_URL", db.url.clone()),
            ("RUST_LOG", "info".to_string()),
            (setting.0, setting.1.to_string()),
        ];
        serve_until(&env, "listening for other processes")
    };
    let a = start(("DJCALLS_JOB_WORKERS", "0"));
    let b = start(("DJCALLS_JOB_POLL_SECONDS", POLL_SECONDS));
    (a, b)
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Posts `base`'s sign-in form (with its CSRF cookie) and returns the status.
async fn sign_in(client: &reqwest::Client, base: &str, email: &str, password: &str) -> u16 {
    let page = client.get(format!("{base}/login")).send().await.unwrap();
    let html = page.text().await.unwrap();
    let from = html.find("name=\"csrf\"").expect("csrf field");
    let value = &html[from..];
    let start = value.find("value=\"").unwrap() + 7;
    let token = &value[start..start + value[start..].find('"').unwrap()];
    client
        .post(format!("{base}/login"))
        .form(&[("csrf", token), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_enqueued_through_one_process_starts_on_another_within_a_second() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (a, b) = pair(&db);
    let number = dj_with_number(&a.base, "Two DJ").await;
    let jobs_url = format!("{}/api/djdash/admin/jobs", a.base);
    let before = api(reqwest::Method::GET, jobs_url.clone(), None).await;
    assert_eq!(before["counts"]["done"], 0);

    // An answered call through A enqueues its follow-up text; A runs no jobs.
    simulate_call(&a.base, &number, "answered").await;
    let enqueued = Instant::now();
    let started = |jobs: &Value| {
        let counts = &jobs["counts"];
        counts["running"].as_i64().unwrap_or(0) + counts["done"].as_i64().unwrap_or(0) == 1
    };
    let mut jobs = api(reqwest::Method::GET, jobs_url.clone(), None).await;
    while !started(&jobs) {
        assert!(
            enqueued.elapsed() < Duration::from_secs(1),
            "the follow-up job did not start within 1 s: {jobs}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        jobs = api(reqwest::Method::GET, jobs_url.clone(), None).await;
    }
    eprintln!(
        "enqueued through A → started by B: {:?}",
        enqueued.elapsed()
    );
    // It finishes (the text goes out from B).
    while jobs["counts"]["done"] != 1 {
        assert!(
            enqueued.elapsed() < Duration::from_secs(10),
            "the follow-up job did not finish: {jobs}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        jobs = api(reqwest::Method::GET, jobs_url.clone(), None).await;
    }
    // It texted the caller the payment link.
    let calls = api(
        reqwest::Method::GET,
        format!("{}/api/djdash/calls?dj_profile_id={DJ}", b.base),
        None,
    )
    .await;
    assert_eq!(calls["calls"][0]["tipjar_link_sent"], true, "{calls}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_on_one_process_sees_a_call_delivered_to_another_within_a_second() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let add = djcalls()
        .args(["user", "add", "--email", "admin@x.test"])
        .args(["--password", "correct horse battery", "--role", "admin"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let (a, b) = pair(&db);
    let number = dj_with_number(&a.base, "Two DJ").await;

    // A dashboard on B.
    let admin = browser();
    let status = sign_in(&admin, &b.base, "admin@x.test", "correct horse battery").await;
    assert_eq!(status, 303);
    let events = admin
        .get(format!("{}/admin/events", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let mut body = events.bytes_stream();
        let mut text = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let event: String = text.drain(..end + 2).collect();
                let _ = seen_tx.send(event);
            }
        }
    });
    let first = seen.recv().await.expect("the stream opens");
    assert!(first.contains("event: ready"), "{first}");

    // A call whose webhooks only A sees; B's dashboard hears of it within 1 s of the last.
    let call_sid = simulate_call(&a.base, &number, "voicemail").await;
    let delivered = Instant::now();
    let calls = api(
        reqwest::Method::GET,
        format!("{}/api/djdash/calls?dj_profile_id={DJ}", a.base),
        None,
    )
    .await;
    assert_eq!(calls["calls"][0]["call_sid"], call_sid.as_str());
    let call_id = calls["calls"][0]["id"]
        .as_str()
        .expect("call id")
        .to_string();
    loop {
        let left = Duration::from_secs(1).saturating_sub(delivered.elapsed());
        let event = tokio::time::timeout(left, seen.recv())
            .await
            .expect("B's dashboard heard of A's call within 1 s")
            .expect("the event stream stays open");
        if event.contains("event: call") && event.contains(&call_id) {
            break;
        }
    }
    eprintln!(
        "delivered to A → on B's dashboard: {:?}",
        delivered.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_count_together_whichever_process_takes_them() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (a, b) = pair(&db);
    // 5 per email, alternating between the processes.
    for attempt in 0..5 {
        let server = if attempt % 2 == 0 { &a } else { &b };
        let status = sign_in(&browser(), &server.base, "nobody@x.test", "guess").await;
        assert_eq!(
            status, 401,
            "attempt {attempt}: wrong password, not yet limited"
        );
    }
    for server in [&a, &b] {
        let status = sign_in(&browser(), &server.base, "nobody@x.test", "guess").await;
        assert_eq!(
            status, 429,
            "the sixth attempt is limited on {}",
            server.base
        );
    }
}
