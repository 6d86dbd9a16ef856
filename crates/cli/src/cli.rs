//! The command line (SPEC §1). Every setting is an environment variable with a flag of the
//! same meaning; a bad value stops start-up with one clear line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use djcalls_domain::CutRate;
use std::net::SocketAddr;

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

    /// An answered call must last longer than this for the follow-up SMS.
    #[arg(long, env = "FOLLOWUP_MIN_TALK_SECONDS", default_value_t = 10)]
    pub followup_min_talk_seconds: u32,
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

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user (a dj user is linked to the given profiles, which need not exist yet).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long = "dj-profile-id")]
        dj_profile_ids: Vec<uuid::Uuid>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Mint an API token for a user; prints only the token.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Dj,
    Admin,
}

fn parse_cut(raw: &str) -> Result<CutRate, String> {
    CutRate::parse_percent(raw).map_err(|e| e.to_string())
}
