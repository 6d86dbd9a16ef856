//! The binary as an operator meets it: start-up validation, accounts and tokens, migrate,
//! simulate against a running server, and a graceful stop on SIGTERM.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;
use support::{SERVICE_KEY, Served, djcalls, sqlite_url};

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn a_bad_setting_stops_start_up_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 11] = [
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
            "DATABASE_READ_URL",
            "mysql://reader:secret@localhost/calls",
            "DATABASE_READ_URL must start with postgres://",
        ),
        (
            "DATABASE_READ_URL",
            "postgres://reader:secret@127.0.0.1:1/replica",
            "need PostgreSQL",
        ),
        ("DJCALLS_DB_APP_ROLE", "djcalls_app", "need PostgreSQL"),
        (
            "TWILIO_ACCOUNT_SID",
            "AC00000000000000000000000000000000",
            "set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
        ),
        (
            "TWILIO_VOICE_FALLBACK_BASE_URL",
            "ftp://static.example.com/twiml",
            "TWILIO_VOICE_FALLBACK_BASE_URL must be an http(s) URL",
        ),
        ("FORWARDING_COUNTRIES", "US,XX", "FORWARDING_COUNTRIES"),
        (
            "METRICS_TOKEN",
            "short",
            "METRICS_TOKEN must be at least 16",
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

/// Starts `serve` on a SQLite database in `dir`.
fn serve(dir: &tempfile::TempDir) -> Served {
    support::serve(&[("DATABASE_URL", sqlite_url(dir))])
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve(&dir);
    let (child, base) = (&mut served.child, served.base.clone());
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
    let served = serve(&dir);
    let base = served.base.clone();
    let client = reqwest::Client::new();
    let key = SERVICE_KEY;
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

/// `djcalls bench --case export` downloads every seeded call (it fails otherwise) and prints
/// the export's size beside the process's memory after seeding and at its peak.
#[test]
fn bench_export_prints_rows_bytes_and_peak_memory() {
    let output = djcalls()
        .args(["bench", "--case", "export", "--export-rows", "700,1200"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for rows in ["700", "1200"] {
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("export {rows} calls")))
            .unwrap_or_else(|| panic!("no export line for {rows}: {stdout}"));
        assert!(
            line.contains("MiB of CSV")
                && line.contains("RSS after seeding")
                && line.contains("peak RSS during the export"),
            "{line}"
        );
    }
    assert!(
        !stdout.contains("incoming →"),
        "the voice case ran: {stdout}"
    );
}
