//! Settings the use cases read. The CLI builds them from the environment (SPEC §1).

use djcalls_domain::CutRate;
use secrecy::SecretString;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Externally visible base URL, without a trailing slash.
    pub public_base_url: String,
    /// Bearer token of the service role (the DJ Dash backend); `None` disables that role.
    pub service_key: Option<SecretString>,
    pub platform_cut: CutRate,
    pub followup_min_talk_seconds: u32,
}

impl Settings {
    /// Defaults for tests and tools: no service key, 15 % cut, 10 s follow-up threshold.
    pub fn for_base_url(public_base_url: &str) -> Settings {
        Settings {
            public_base_url: public_base_url.trim_end_matches('/').to_string(),
            service_key: None,
            platform_cut: CutRate::DEFAULT,
            followup_min_talk_seconds: 10,
        }
    }
}
