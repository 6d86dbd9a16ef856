//! Structured logs: compact text for people, JSON (`--log-json`/`DJCALLS_LOG_JSON`) for
//! production. `RUST_LOG` filters; the default is `info` (`warn` for `bench`).

use tracing_subscriber::EnvFilter;

/// `default` applies when `RUST_LOG` is unset.
pub fn init(json: bool, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}
