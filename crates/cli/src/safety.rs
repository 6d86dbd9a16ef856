//! Settings of account and number safety (SPEC §11) and of who may read `/metrics`.

use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct SafetyArgs {
    /// Bearer token for `GET /metrics` (a scraper's). The service key and admins' API tokens
    /// may read it too; nobody else.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// New virtual numbers a DJ may get after their first, per 30 days (admins and the
    /// service are not limited).
    #[arg(long, env = "NUMBER_REASSIGN_LIMIT", default_value_t = 2)]
    pub number_reassign_limit: u32,

    /// Countries (ISO 3166 codes, comma-separated) whose numbers calls may be forwarded to.
    #[arg(long, env = "FORWARDING_COUNTRIES", default_value = "US,CA")]
    pub forwarding_countries: String,
}
