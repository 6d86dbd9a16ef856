//! Running the built `djcalls` binary in tests, with a clean environment.

use std::process::Command;

/// The binary, with every setting it reads removed from the inherited environment.
pub fn djcalls() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_djcalls"));
    for var in [
        "DATABASE_URL",
        "DJCALLS_LISTEN",
        "PUBLIC_BASE_URL",
        "DJCALLS_SERVICE_KEY",
        "PLATFORM_CUT_PERCENT",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_PHONE_NUMBER",
        "PAYMENT_PROVIDER",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "STRIPE_API_BASE_URL",
        "TIPJAR_API_URL",
        "TIPJAR_API_KEY",
        "TIPJAR_WEBHOOK_SECRET",
        "DJCALLS_JOB_WORKERS",
        "DJCALLS_JOB_POLL_SECONDS",
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
