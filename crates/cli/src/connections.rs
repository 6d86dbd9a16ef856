//! Connection limits of `serve` and `demo` (SPEC §11), and the file-descriptor limit they
//! need.

use djcalls_http::ConnectionLimits;
use std::time::Duration;

/// How slow or idle a client may be, and how many may be connected at once.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Seconds a connection may take to send a complete request head; then it is closed.
    #[arg(long, env = "DJCALLS_HEADER_READ_TIMEOUT_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_seconds: u64,

    /// Seconds a keep-alive connection may sit idle between requests; then it is closed.
    #[arg(long, env = "DJCALLS_IDLE_TIMEOUT_SECONDS", default_value_t = 75, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_seconds: u64,

    /// Most connections open at once; more wait in the listen backlog until one closes.
    #[arg(long, env = "DJCALLS_MAX_CONNECTIONS", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
}

impl ConnectionArgs {
    pub fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_seconds),
            idle_timeout: Duration::from_secs(self.idle_timeout_seconds),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
        }
    }
}

/// File descriptors kept for the database pool, outgoing requests, logs and the spool.
const RESERVED_DESCRIPTORS: u64 = 256;

/// Raises the soft open-files limit to the hard one (the usual soft default, 1024, is below
/// the connection cap) and warns when the cap would still not fit.
pub fn raise_open_files_limit(limits: &ConnectionLimits) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => {
            let wanted = limits.max_connections as u64 + RESERVED_DESCRIPTORS;
            if soft < wanted {
                tracing::warn!(
                    open_files_limit = soft,
                    max_connections = limits.max_connections,
                    "DJCALLS_MAX_CONNECTIONS does not fit the open-files limit; lower it or raise the hard limit"
                );
            }
        }
        Err(error) => tracing::warn!(%error, "could not raise the open-files limit"),
    }
}
