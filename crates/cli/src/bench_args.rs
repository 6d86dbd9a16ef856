//! `djcalls bench`'s options.

use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// An empty database to measure on (default: a fresh SQLite file in a temp dir). Its
    /// contents are not removed afterwards.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Incoming calls timed one after another.
    #[arg(long, default_value_t = 300)]
    pub incoming: u32,
    /// Whole calls (5 webhooks each) sent for the throughput figure.
    #[arg(long, default_value_t = 400)]
    pub calls: u32,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Concurrent connections for the `incoming` load runs, each measured beside the
    /// database's own single-row insert rate at the same concurrency (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "4,16")]
    pub connections: Vec<usize>,
    /// How long each load run (and its reference run) lasts, in seconds.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// What to measure (comma-separated): `voice` (the webhooks above), `export` (the calls
    /// CSV export: rows, bytes, time and the process's peak memory), `contacts-export` (the
    /// same for the contacts CSV export), `dni` (the widget's number lookup beside `/healthz`),
    /// `analytics` (the analytics answers at marketplace scale beside the seed's approach).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "voice")]
    pub case: Vec<BenchCase>,
    /// Calls seeded (for a fresh DJ each) and exported per export run (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    pub export_rows: Vec<u64>,
    /// Size of the analytics data set: 1 is 2,000 DJs × 1,000 calls plus one DJ with 100,000
    /// (2.1M calls); default 1 on PostgreSQL, 0.1 on SQLite.
    #[arg(long)]
    pub analytics_scale: Option<f64>,
    /// Times each analytics request is asked (median and p95 of these).
    #[arg(long, default_value_t = 15)]
    pub analytics_runs: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchCase {
    Voice,
    Export,
    /// The contacts CSV export (`--export-rows` contacts, one call each).
    ContactsExport,
    /// `GET /api/djdash/dni` beside `/healthz`, at each `--connections`, `--seconds` each.
    Dni,
    /// The analytics answers on a 2.1M-call data set (`--analytics-scale`) beside the seed's
    /// approach (fetch the rows, add them up in the application).
    Analytics,
}
