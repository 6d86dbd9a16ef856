//! SPEC §11 slow and idle clients: a connection that trickles its request head is closed
//! after the header-read timeout, an idle keep-alive connection after the idle timeout, and
//! with the connection cap reached a new connection waits while the connections already open
//! keep serving webhooks. The limits are settings, so these tests use short ones; every wait
//! for the server is a bounded read, never a sleep.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_http::ConnectionLimits;
use djcalls_telephony::{CallOutcome, CallScenario, compute_signature};
use djcalls_testkit::{ServedApp, TestApp};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Far longer than any limit below: a read still waiting then is a failure.
const BOUND: Duration = Duration::from_secs(15);

async fn served(first: &TestApp, limits: ConnectionLimits) -> ServedApp {
    TestApp::builder()
        .connection_limits(limits)
        .serve_beside(first)
        .await
}

async fn connect(app: &ServedApp) -> TcpStream {
    TcpStream::connect(app.base_url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (EOF or reset); returns what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return seen,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn a_client_that_trickles_its_request_head_is_disconnected() {
    let first = TestApp::sqlite().await;
    let app = served(
        &first,
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(60),
            max_connections: 16,
        },
    )
    .await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"POST /api/djdash/calls/incoming HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // One more header byte every 100 ms, never the blank line that ends the head.
    let mut trickle = tokio::time::interval(Duration::from_millis(100));
    let (mut reader, mut writer) = stream.split();
    let mut buf = [0u8; 1024];
    let closed = timeout(BOUND, async {
        loop {
            tokio::select! {
                read = reader.read(&mut buf) => return read,
                _ = trickle.tick() => {
                    if writer.write_all(b"X").await.is_err() {
                        return Ok(0);
                    }
                }
            }
        }
    })
    .await;
    let read = closed.expect("the server kept a trickling client connected");
    // Closed (EOF or reset), or a 408 before closing: never a request handled.
    if let Ok(n) = read {
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(n == 0 || answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let first = TestApp::sqlite().await;
    let app = served(
        &first,
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(1),
            max_connections: 16,
        },
    )
    .await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = timeout(BOUND, read_until_closed(&mut stream))
        .await
        .expect("an idle keep-alive connection stayed open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A signed `incoming` webhook for a fresh call to `number`, posted with `client`.
async fn incoming(
    client: &reqwest::Client,
    app: &ServedApp,
    number: &djcalls_domain::PhoneNumber,
) -> u16 {
    let caller = djcalls_domain::PhoneNumber::parse("+14155550123").unwrap();
    let delivery =
        CallScenario::new(CallOutcome::Answered, caller, number.clone()).deliveries()[0].clone();
    let url = app.url(delivery.path);
    client
        .post(&url)
        .header(
            "X-Twilio-Signature",
            compute_signature(SIMULATOR_AUTH_TOKEN, &url, &delivery.params),
        )
        .form(&delivery.params)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn with_the_cap_reached_new_connections_wait_and_open_ones_keep_serving() {
    let first = TestApp::sqlite().await;
    let (_, number) = first
        .dj_with_number("dj-capped", "DJ Capped", "America/New_York")
        .await;
    let app = served(
        &first,
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(60),
            max_connections: 2,
        },
    )
    .await;
    // Twilio's keep-alive connection takes one slot; a silent client takes the other.
    let twilio = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    assert_eq!(incoming(&twilio, &app, &number).await, 200);
    let silent = connect(&app).await;

    // A third connection is accepted by the kernel but not served while the cap holds.
    let mut third = connect(&app).await;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let early = timeout(Duration::from_millis(500), third.read(&mut buf)).await;
    assert!(early.is_err(), "served past the cap: {early:?}");

    // The open connection still serves webhooks.
    assert_eq!(incoming(&twilio, &app, &number).await, 200);

    // A slot frees: the waiting connection is served.
    drop(silent);
    let answer = timeout(BOUND, read_until_closed(&mut third))
        .await
        .expect("the waiting connection was never served");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
