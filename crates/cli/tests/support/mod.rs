//! Running the built `djcalls` binary in tests, with a clean environment.

// Each test binary uses part of this module.
#![allow(dead_code)]

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
        "METRICS_TOKEN",
        "NUMBER_REASSIGN_LIMIT",
        "FORWARDING_COUNTRIES",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd
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
