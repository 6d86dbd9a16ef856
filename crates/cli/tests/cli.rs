//! The binary as an operator meets it: start-up validation, accounts and tokens, migrate,
//! simulate against a running server, and a graceful stop on SIGTERM.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;
use support::{djcalls, sqlite_url};

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_bad_setting_stops_start_up_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 5] = [
        ("PLATFORM_CUT_PERCENT", "fifteen", "PLATFORM_CUT_PERCENT"),
        (
            "DATABASE_URL",
            "mysql://localhost/calls",
            "DATABASE_URL must start with sqlite:// or postgres://",
        ),
        (
            "DATABASE_URL",
            "postgres://nobody:secret@127.0.0.1:1/none",
            "cannot open the database",
        ),
        (
            "TWILIO_ACCOUNT_SID",
            "AC00000000000000000000000000000000",
            "set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
        ),
        (
            "DJCALLS_LISTEN",
            "not-an-address",
            "invalid value 'not-an-address' for '--listen",
        ),
    ];
    for (var, value, expected) in cases {
        let output = djcalls()
            .arg("serve")
            .env("DATABASE_URL", sqlite_url(&dir))
            .env(var, value)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{var}={value} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{var}={value}: {stderr}");
        assert!(
            !stderr.contains("secret"),
            "passwords never reach messages: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn user_add_and_token_create_print_only_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let status = djcalls()
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .status()
        .unwrap();
    assert!(status.success());
    let add = djcalls()
        .args([
            "user",
            "add",
            "--email",
            "Admin@Example.com",
            "--password",
            "correct horse battery",
            "--role",
            "admin",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let again = djcalls()
        .args([
            "user",
            "add",
            "--email",
            "admin@example.com",
            "--password",
            "correct horse battery",
            "--role",
            "admin",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let dj = djcalls()
        .args([
            "user",
            "add",
            "--email",
            "dj@example.com",
            "--password",
            "short",
            "--role",
            "dj",
            "--dj-profile-id",
            "0d1a0000-0000-4000-8000-000000000001",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!dj.status.success(), "an 8-character minimum applies");
    let token = djcalls()
        .args(["token", "create", "--email", "admin@example.com"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(token.status.success());
    let stdout = String::from_utf8(token.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].starts_with("djc_") && lines[0].len() > 40);
}

/// Starts `serve` on a free port and waits until it answers.
fn serve(dir: &tempfile::TempDir) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = djcalls()
        .arg("serve")
        .env("DATABASE_URL", sqlite_url(dir))
        .env("DJCALLS_LISTEN", &listen)
        .env("DJCALLS_SERVICE_KEY", "cli-test-service-key-123")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the server did not start");
        match lines.next() {
            Some(Ok(line)) if line.contains("djcalls is serving") => break,
            Some(Ok(_)) => continue,
            _ => panic!("the server exited before serving"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{listen}"))
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = serve(&dir);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
}

#[tokio::test]
async fn simulate_call_drives_a_running_server_through_the_signed_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = serve(&dir);
    let client = reqwest::Client::new();
    let key = "cli-test-service-key-123";
    let id = "0d1a0000-0000-4000-8000-0000000000aa";
    let put = client
        .put(format!("{base}/api/djdash/profiles/{id}"))
        .bearer_auth(key)
        .json(&serde_json::json!({"dj_name": "Sim DJ", "dj_slug": "sim-dj", "real_phone_number": "+12125550142"}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let pool = client
        .post(format!("{base}/api/djdash/virtual-numbers/pool"))
        .bearer_auth(key)
        .json(&serde_json::json!({"count": 1, "area_code": "212"}))
        .send()
        .await
        .unwrap();
    assert!(pool.status().is_success());
    let assigned: serde_json::Value = client
        .post(format!("{base}/api/djdash/virtual-numbers"))
        .bearer_auth(key)
        .json(&serde_json::json!({"dj_profile_id": id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = assigned["virtualNumber"]["virtual_number"]
        .as_str()
        .unwrap()
        .to_string();
    let output = tokio::task::spawn_blocking({
        let base = base.clone();
        move || {
            djcalls()
                .args([
                    "simulate",
                    "call",
                    "--to",
                    &number,
                    "--outcome",
                    "voicemail",
                    "--server",
                    &base,
                ])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let call_sid = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let calls: serde_json::Value = client
        .get(format!("{base}/api/djdash/calls?dj_profile_id={id}"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call = &calls["calls"][0];
    assert_eq!(call["call_sid"], call_sid);
    assert_eq!(call["call_status"], "voicemail");
    let _ = child.kill();
}

/// `djcalls bench` measures real requests: every figure it prints comes from answered
/// webhooks, and the load line sets djcalls' rate beside the database's own ceiling.
#[test]
fn bench_prints_load_figures_beside_the_databases_insert_rate() {
    let output = djcalls()
        .args([
            "bench",
            "--incoming",
            "5",
            "--calls",
            "4",
            "--concurrency",
            "2",
            "--connections",
            "2",
            "--seconds",
            "1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let load = stdout
        .lines()
        .find(|l| l.contains("2 connections"))
        .unwrap_or_else(|| panic!("no load line: {stdout}"));
    let rate_after = |marker: &str| -> f64 {
        let rest = &load[load.find(marker).unwrap() + marker.len()..];
        let figure: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        figure.parse().unwrap()
    };
    assert!(rate_after("INSERT commits ") > 0.0, "{load}");
    assert!(rate_after("djcalls incoming ") > 0.0, "{load}");
    assert!(
        load.contains("× the ceiling") && load.contains("p99"),
        "{load}"
    );
}
