//! Running the built `djcalls` binary in tests, with a clean environment.

// Each test binary uses part of this module.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary, with every setting it reads removed from the inherited environment.
pub fn djcalls() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_djcalls"));
    for var in [
        "DATABASE_URL",
        "DATABASE_READ_URL",
        "DJCALLS_DB_APP_ROLE",
        "DJCALLS_LISTEN",
        "PUBLIC_BASE_URL",
        "DJCALLS_SERVICE_KEY",
        "PLATFORM_CUT_PERCENT",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_PHONE_NUMBER",
        "TWILIO_API_BASE_URL",
        "TWILIO_VOICE_FALLBACK_BASE_URL",
        "PAYMENT_PROVIDER",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "STRIPE_API_BASE_URL",
        "TIPJAR_API_URL",
        "TIPJAR_API_KEY",
        "TIPJAR_WEBHOOK_SECRET",
        "DJCALLS_JOB_WORKERS",
        "DJCALLS_JOB_POLL_SECONDS",
        "DJCALLS_SPOOL_DIR",
        "METRICS_TOKEN",
        "NUMBER_REASSIGN_LIMIT",
        "FORWARDING_COUNTRIES",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    // Never the default ./djcalls-spool inside the source tree; a test that shares a spool
    // between processes sets its own.
    cmd.env("DJCALLS_SPOOL_DIR", fresh_spool_dir());
    cmd
}

/// A spool directory no other process uses, under cargo's scratch directory for tests.
pub fn fresh_spool_dir() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("spool-{}-{n}", std::process::id()))
}

/// A SQLite URL for a file in `dir`.
pub fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("cli.db").display())
}

pub const SERVICE_KEY: &str = "cli-test-service-key-123";

/// A running `djcalls serve` on a free port with `env` (and the service key), its base URL,
/// and the log lines it wrote before it was serving.
pub struct Served {
    pub child: Child,
    pub base: String,
    pub start_up_log: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` with `env` and waits (up to 60 s) until it says it is serving.
pub fn serve(env: &[(&str, String)]) -> Served {
    serve_until(env, "djcalls is serving")
}

/// Starts `serve` with `env` and waits (up to 60 s) until it logs a line containing `ready`.
pub fn serve_until(env: &[(&str, String)], ready: &str) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = djcalls()
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("DJCALLS_LISTEN", &listen)
        .env("DJCALLS_SERVICE_KEY", SERVICE_KEY)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut start_up_log = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "the server did not start");
        match lines.next() {
            Some(Ok(line)) if line.contains(ready) => break,
            Some(Ok(line)) => start_up_log.push(line),
            _ => panic!(
                "the server exited before logging {ready:?}:\n{}",
                start_up_log.join("\n")
            ),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        base: format!("http://{listen}"),
        start_up_log,
    }
}

/// The DJ of [`dj_with_number`].
pub const DJ: &str = "0d1a0000-0000-4000-8000-0000000000bb";
/// Where [`dj_with_number`]'s DJ takes calls.
pub const DJ_REAL_NUMBER: &str = "+12125550143";

pub async fn api(method: reqwest::Method, url: String, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, &url)
        .bearer_auth(SERVICE_KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// A DJ whose local time is about noon now (no quiet hours), with a virtual number.
pub async fn dj_with_number(base: &str, name: &str) -> String {
    let utc_hour = jiff::Timestamp::now().as_second().rem_euclid(86_400) / 3_600;
    // Etc/GMT zones count the other way: Etc/GMT-3 is UTC+3.
    let offset = 12 - utc_hour;
    let zone = match offset {
        0 => "Etc/GMT".to_string(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let slug = name.to_lowercase().replace(' ', "-");
    let profile = json!({"dj_name": name, "dj_slug": slug, "timezone": zone, "real_phone_number": DJ_REAL_NUMBER});
    let url = format!("{base}/api/djdash/profiles/{DJ}");
    api(reqwest::Method::PUT, url, Some(profile)).await;
    let url = format!("{base}/api/djdash/virtual-numbers/pool");
    let pool = json!({"count": 1, "area_code": "212"});
    api(reqwest::Method::POST, url, Some(pool)).await;
    let url = format!("{base}/api/djdash/virtual-numbers");
    let assigned = api(
        reqwest::Method::POST,
        url,
        Some(json!({"dj_profile_id": DJ})),
    )
    .await;
    assigned["virtualNumber"]["virtual_number"]
        .as_str()
        .expect("the assigned number")
        .to_string()
}

/// Sends the signed webhooks of one call to `base`, as Twilio would; returns the CallSid.
pub async fn simulate_call(base: &str, to: &str, outcome: &str) -> String {
    let (base, to, outcome) = (base.to_string(), to.to_string(), outcome.to_string());
    let sim = tokio::task::spawn_blocking(move || {
        djcalls()
            .args(["simulate", "call", "--to", &to, "--outcome", &outcome])
            .args(["--server", &base])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    String::from_utf8(sim.stdout).unwrap().trim().to_string()
}
