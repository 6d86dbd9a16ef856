//! Live updates between processes (SPEC §10), PostgreSQL only: two apps on one database, each
//! with its own live channel and relay — two processes as far as live updates go. A dashboard
//! on B hears, within 1 s, the calls logged through A (its own DJ's only); when the relays'
//! connections are cut, B's dashboard is told to resynchronise and hears A again once the
//! relay listens anew. A user disabled by another process (as `djcalls user disable` is: an
//! app of its own, with no relay) loses the streams open on both.

use super::live_sign_out::Stream;
use super::*;
use djcalls_testkit::ServedApp;
use sqlx::Connection;
use std::time::Instant;
use tokio::time::timeout;

/// Reads the next server-sent event: `(name, data)`.
async fn next_event(response: &mut reqwest::Response, buffer: &mut String) -> (String, String) {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_default()
                    .to_string()
            };
            let name = field("event: ");
            if !name.is_empty() {
                return (name, field("data: "));
            }
            continue; // a keep-alive comment
        }
        let chunk = response.chunk().await.unwrap().expect("stream ended");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// Skips events until one named `name`; returns its data.
async fn event_named(response: &mut reqwest::Response, buffer: &mut String, name: &str) -> String {
    loop {
        let (event, data) = next_event(response, buffer).await;
        if event == name {
            return data;
        }
    }
}

/// Backends of the test database that listen for notifications (the relays).
async fn listening(url: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

async fn until_listening(url: &str, relays: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while listening(url).await < relays {
        assert!(Instant::now() < deadline, "{relays} relays never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs in to `b` as `(email, password)`.
async fn sign_in(b: &ServedApp, (email, password): (&str, &str)) -> reqwest::Client {
    let client = client();
    let page = client.get(b.url("/login")).send().await.unwrap();
    let token = csrf(&page.text().await.unwrap());
    let r = client
        .post(b.url("/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign in to B as {email}");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dashboard_on_one_process_hears_calls_logged_through_another() {
    let Some(a) = TestApp::postgres().await else {
        return;
    };
    a.app.seed_demo().await.unwrap();
    let b = TestApp::builder().serve_beside(&a).await;
    let _relay_a = a.app.start_relay();
    let _relay_b = b.app.start_relay();
    until_listening(&a.db.url, 2).await;

    let dj = sign_in(&b, SPARKLE).await;
    let mut events = dj.get(b.url("/dashboard/events")).send().await.unwrap();
    assert_eq!(events.status(), 200);
    let mut buffer = String::new();
    event_named(&mut events, &mut buffer, "ready").await;

    // Another DJ's call first, then Sparkle's: the first call B's stream shows is Sparkle's.
    let _other = log_call(&a, MARCO_ID).await;
    let mine = log_call(&a, SPARKLE_ID).await;
    let logged = Instant::now();
    let data = timeout(
        Duration::from_secs(1),
        event_named(&mut events, &mut buffer, "call"),
    )
    .await
    .expect("B heard A's call within 1 s");
    let event: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(event["call_id"], mine.as_str());
    assert_eq!(event["dj_profile_id"], SPARKLE_ID);
    eprintln!("A → B live update: {:?}", logged.elapsed());

    // Cut both relays' connections, as a failover or a proxy's idle timeout would.
    let mut admin = sqlx::PgConnection::connect(&a.db.url).await.unwrap();
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%') AS terminated",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(cut, 2);
    // B listens again and tells its dashboard that it may have missed updates.
    timeout(
        Duration::from_secs(10),
        event_named(&mut events, &mut buffer, "resync"),
    )
    .await
    .expect("B's dashboard was told to resynchronise");
    let again = log_call(&a, SPARKLE_ID).await;
    let data = timeout(
        Duration::from_secs(1),
        event_named(&mut events, &mut buffer, "call"),
    )
    .await
    .expect("B hears A again after the cut");
    let event: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(event["call_id"], again.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disabling_a_user_from_another_process_ends_their_streams_on_every_process() {
    let Some(a) = TestApp::postgres().await else {
        return;
    };
    a.app.seed_demo().await.unwrap();
    let b = TestApp::builder().serve_beside(&a).await;
    let _relay_a = a.app.start_relay();
    let _relay_b = b.app.start_relay();
    until_listening(&a.db.url, 2).await;
    let on_a = Stream::open(&login(&a, SPARKLE).await, a.url("/dashboard/events")).await;
    let on_b = Stream::open(&sign_in(&b, SPARKLE).await, b.url("/dashboard/events")).await;
    let mut marco_on_b = Stream::open(&sign_in(&b, MARCO).await, b.url("/dashboard/events")).await;

    // The command line's process: a fresh pool on the same database, no relay, not serving.
    let cli = TestApp::builder().restart_of(&a).await;
    cli.set_user_enabled(SPARKLE.0, false).await.unwrap();
    for stream in [on_a, on_b] {
        let names = stream.until_end().await;
        assert_eq!(
            names.last().map(String::as_str),
            Some("signed_out"),
            "{names:?}"
        );
    }
    cli.close().await;
    marco_on_b.hears_a_call_of(&a, MARCO_ID).await;
}
