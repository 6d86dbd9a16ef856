//! The command line (SPEC §1). Every setting is an environment variable with a flag of the
//! same meaning; a bad value stops start-up with one clear line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use djcalls_domain::CutRate;
use std::net::SocketAddr;

mod accounts;
pub use accounts::{TokenCommand, UserCommand};

#[derive(Parser, Debug)]
#[command(
    name = "djcalls",
    version,
    about = "Call tracking and revenue capture for DJ Dash"
)]
pub struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, env = "DJCALLS_LOG_JSON", global = true)]
    pub log_json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server and job runner (applies pending migrations first).
    Serve(ServeArgs),
    /// Run the server on a fresh embedded database with demo DJs, calls and logins.
    Demo(DemoArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Send a running server the signed webhooks Twilio would send.
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// Measure the voice webhooks: incoming-call latency and webhooks absorbed per second.
    Bench(BenchArgs),
    /// Static TwiML that connects calls while the whole service is down.
    #[command(subcommand)]
    Fallback(FallbackCommand),
    /// Record the calls Twilio connected while the service was down, from its call log.
    Reconcile(ReconcileArgs),
    /// Check or repair the analytics summaries.
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
}

#[derive(Subcommand, Debug)]
pub enum AnalyticsCommand {
    /// Compare every analytics summary with a full recount of the calls, payments and
    /// follow-ups; exits non-zero when any differs.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Recompute every analytics summary from the calls (after restoring an old backup, or
    /// when verify found a difference). On PostgreSQL, writes to calls wait until it is done.
    Rebuild {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum FallbackCommand {
    /// Write one static TwiML file per assigned number into DIR (`<E.164 without +>.xml`: ring
    /// the DJ's real number), for a static host at TWILIO_VOICE_FALLBACK_BASE_URL. Files of
    /// numbers no longer assigned are removed; nothing else in DIR is touched.
    Export {
        /// The directory the static host serves (created when missing).
        #[arg(long, value_name = "DIR")]
        dir: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Args, Debug)]
pub struct ReconcileArgs {
    /// Look at calls that started at or after this instant, e.g. 2024-05-01T00:00:00Z.
    #[arg(long, value_name = "RFC 3339", value_parser = parse_instant)]
    pub since: jiff::Timestamp,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub twilio: TwilioArgs,
}

pub use crate::bench_args::{BenchArgs, BenchCase};

#[derive(Subcommand, Debug)]
pub enum SimulateCommand {
    /// One inbound call: answered, missed, voicemail or busy.
    Call(crate::commands::simulate::SimulateCallArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// sqlite://… (embedded) or postgres://… (production).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://djcalls.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// PostgreSQL only: an existing role the database user may `SET ROLE` to; every
    /// transaction then runs as it (the separate-role setup). Unset: transactions run as the
    /// database user, which row-level security binds as well.
    #[arg(long, env = "DJCALLS_DB_APP_ROLE")]
    pub db_app_role: Option<String>,

    /// PostgreSQL only: a streaming replica for analytics and dashboard lists. Writes and
    /// reads of what was just written stay on DATABASE_URL.
    #[arg(long, env = "DATABASE_READ_URL", hide_env_values = true)]
    pub database_read_url: Option<String>,
}

impl DatabaseArgs {
    /// Just a URL: no app role, no replica.
    pub fn for_url(database_url: String) -> DatabaseArgs {
        DatabaseArgs {
            database_url,
            db_app_role: None,
            database_read_url: None,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct ServiceArgs {
    /// Address to listen on.
    #[arg(
        long = "listen",
        env = "DJCALLS_LISTEN",
        default_value = "127.0.0.1:3000"
    )]
    pub listen: SocketAddr,

    /// Externally visible base URL (webhook URLs and Twilio signatures use it).
    #[arg(long, env = "PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,

    /// Bearer token of the service role (the DJ Dash backend).
    #[arg(long, env = "DJCALLS_SERVICE_KEY", hide_env_values = true)]
    pub service_key: Option<String>,

    /// Platform share of each payment, in percent (decimals allowed, e.g. 12.5).
    #[arg(long, env = "PLATFORM_CUT_PERCENT", default_value = "15", value_parser = parse_cut)]
    pub platform_cut_percent: CutRate,

    /// The currency revenue is counted in (ISO 4217, e.g. usd); payments in any other
    /// currency are kept for admins but never counted.
    #[arg(long, env = "PLATFORM_CURRENCY", default_value = "usd", value_parser = crate::config::parse_currency)]
    pub platform_currency: String,

    /// Origins whose pages may use the public widget endpoints (comma-separated, or `*`).
    #[arg(long, env = "DJCALLS_ALLOWED_ORIGINS", default_value = "*")]
    pub allowed_origins: String,

    /// Origins whose pages may embed the dashboards in a frame (comma-separated, e.g.
    /// https://www.djdash.com); unset: the dashboards refuse framing.
    #[arg(long, env = "DJCALLS_FRAME_ANCESTORS", default_value = "")]
    pub frame_ancestors: String,

    /// Jobs (follow-up texts) this process runs at once; 0: none (other processes on the
    /// same PostgreSQL database run them).
    #[arg(long, env = "DJCALLS_JOB_WORKERS", default_value_t = 4)]
    pub job_workers: usize,

    /// Seconds between looks for due jobs when nothing wakes the runner. A safety net: an
    /// enqueued job wakes the runners at once (on PostgreSQL, in every process).
    #[arg(long, env = "DJCALLS_JOB_POLL_SECONDS", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub job_poll_seconds: u64,

    /// Where voice webhooks are kept while the database is away, until it answers again
    /// (one directory per host; several processes may share it).
    #[arg(long, env = "DJCALLS_SPOOL_DIR", default_value = djcalls_app::settings::DEFAULT_SPOOL_DIR)]
    pub spool_dir: std::path::PathBuf,

    #[command(flatten)]
    pub connections: crate::connections::ConnectionArgs,

    #[command(flatten)]
    pub webhooks: crate::webhook_args::WebhookArgs,

    #[command(flatten)]
    pub twilio: TwilioArgs,

    #[command(flatten)]
    pub payments: PaymentArgs,
    #[command(flatten)]
    pub safety: crate::safety::SafetyArgs,
    #[command(flatten)]
    pub ad_conversions: crate::ad_conversions::AdConversionArgs,
    #[command(flatten)]
    pub call_quality: crate::call_quality::CallQualityArgs,

    #[command(flatten)]
    pub followup: crate::followup_args::FollowupArgs,
}

/// Payment links and webhooks (SPEC §1, §8).
#[derive(Args, Debug, Clone)]
pub struct PaymentArgs {
    /// Which provider makes payment links (default: stripe if STRIPE_SECRET_KEY is set, else
    /// tipjar if TIPJAR_API_URL/TIPJAR_API_KEY are, else simulator).
    #[arg(long, env = "PAYMENT_PROVIDER", value_enum)]
    pub payment_provider: Option<PaymentProviderArg>,

    /// Stripe secret API key (sk_…): Stripe Checkout payment links.
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,

    /// Stripe webhook signing secret (whsec_…) for /api/stripe/webhook.
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,

    /// Stripe REST base URL (tests point it at a fake).
    #[arg(
        long,
        env = "STRIPE_API_BASE_URL",
        default_value = "https://api.stripe.com"
    )]
    pub stripe_api_base_url: String,

    /// The TipJar service's create-session endpoint.
    #[arg(long, env = "TIPJAR_API_URL")]
    pub tipjar_api_url: Option<String>,

    /// Bearer key for TIPJAR_API_URL.
    #[arg(long, env = "TIPJAR_API_KEY", hide_env_values = true)]
    pub tipjar_api_key: Option<String>,

    /// TipJar webhook signing secret for /api/tipjar/webhook.
    #[arg(long, env = "TIPJAR_WEBHOOK_SECRET", hide_env_values = true)]
    pub tipjar_webhook_secret: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentProviderArg {
    Stripe,
    Tipjar,
    Simulator,
}

#[derive(Args, Debug, Clone)]
pub struct TwilioArgs {
    /// Twilio account SID; with TWILIO_AUTH_TOKEN, real telephony (both unset: simulated).
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub twilio_account_sid: Option<String>,

    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: Option<String>,

    /// The platform number (fallback SMS sender).
    #[arg(long, env = "TWILIO_PHONE_NUMBER")]
    pub twilio_phone_number: Option<String>,

    /// Twilio REST base URL (tests point it at a fake).
    #[arg(
        long,
        env = "TWILIO_API_BASE_URL",
        default_value = "https://api.twilio.com"
    )]
    pub twilio_api_base_url: String,

    #[command(flatten)]
    pub capture: crate::call_capture::CallCaptureArgs,

    /// Ask Twilio for the caller's name on each call (billed per call by Twilio).
    #[arg(long, env = "TWILIO_CALLER_NAME_LOOKUP", default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub caller_name_lookup: bool,

    /// `pool`: assign only from the pool; `on-demand`: buy from Twilio when the pool has none.
    #[arg(long, env = "NUMBER_PURCHASE", value_enum, default_value = "pool")]
    pub number_purchase: NumberPurchaseArg,

    /// The most numbers on-demand purchase may buy in all.
    #[arg(long, env = "NUMBER_PURCHASE_MAX", default_value_t = 10)]
    pub number_purchase_max: u32,

    /// Days a number released by a DJ rests before it is assigned again.
    #[arg(long, env = "NUMBER_COOLING_DAYS", default_value_t = 30)]
    pub number_cooling_days: u32,

    /// Where `djcalls fallback export`'s files are served (http(s) URL): every number the
    /// service buys, assigns or reconfigures gets VoiceFallbackUrl = <base>/<E.164 without +>.xml.
    #[arg(long, env = "TWILIO_VOICE_FALLBACK_BASE_URL")]
    pub voice_fallback_base_url: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum NumberPurchaseArg {
    Pool,
    OnDemand,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub service: ServiceArgs,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Dj,
    Admin,
}

fn parse_instant(raw: &str) -> Result<jiff::Timestamp, String> {
    raw.trim().parse().map_err(|_| {
        "expected an RFC 3339 instant with its offset, such as 2024-05-01T00:00:00Z".to_string()
    })
}

fn parse_cut(raw: &str) -> Result<CutRate, String> {
    CutRate::parse_percent(raw).map_err(|e| e.to_string())
}
