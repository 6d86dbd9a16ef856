//! Settings the use cases read. The CLI builds them from the environment (SPEC §1).

use djcalls_domain::{CutRate, PhoneNumber};
use secrecy::SecretString;

/// Where new virtual numbers come from (`NUMBER_PURCHASE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberPurchase {
    /// Assign only from the pool; an empty pool answers 409 `pool_exhausted`.
    Pool,
    /// Buy from Twilio when the pool has none, at most `max` numbers in all.
    OnDemand { max: u32 },
}

/// The auth token the simulator signs webhooks with when Twilio is not configured. Public on
/// purpose: simulated telephony is for demos and tests, never for real calls.
pub const SIMULATOR_AUTH_TOKEN: &str = "djcalls-simulator-auth-token";

/// The secret simulated payments sign their (TipJar-format) webhooks with.
pub const SIMULATOR_WEBHOOK_SECRET: &str = "djcalls-simulator-webhook-secret";

/// `DJCALLS_SPOOL_DIR` when unset: beside the process's working directory.
pub const DEFAULT_SPOOL_DIR: &str = "./djcalls-spool";

#[derive(Clone, Debug)]
pub struct Settings {
    /// Externally visible base URL, without a trailing slash.
    pub public_base_url: String,
    /// Bearer token of the service role (the DJ Dash backend); `None` disables that role.
    pub service_key: Option<SecretString>,
    pub platform_cut: CutRate,
    /// The currency revenue is counted in (`PLATFORM_CURRENCY`, upper-case ISO 4217, default
    /// `USD`): a payment in another currency is kept for admins but never counted (SPEC §11).
    pub platform_currency: String,
    pub followup_min_talk_secs: u32,
    /// Checks `X-Twilio-Signature` (the simulator's token when telephony is simulated).
    pub twilio_auth_token: SecretString,
    /// The platform number (`TWILIO_PHONE_NUMBER`), fallback sender.
    pub platform_number: Option<PhoneNumber>,
    /// Record bridged calls, with the recording notice first (`RECORD_CALLS`).
    pub record_calls: bool,
    /// Transcribe answered calls with Twilio Real-Time Transcription (`TRANSCRIBE_CALLS`,
    /// default: `RECORD_CALLS`; SPEC §12).
    pub transcribe_calls: bool,
    /// Ask Twilio for the caller's name (`VoiceCallerIdLookup`, billed per call).
    pub caller_name_lookup: bool,
    pub number_purchase: NumberPurchase,
    /// Days a released number rests before another DJ may get it.
    pub number_cooling_days: u32,
    /// Local hours (DJ's time zone) in which no follow-up is sent: `[start, end)`, wrapping
    /// midnight; a text due then waits for `end` (default 21:00–08:00).
    pub quiet_hours: (u8, u8),
    /// Text "sorry we missed you" after a missed or voicemail call (off by default).
    pub missed_call_text: bool,
    /// Verifies `Stripe-Signature` on `/api/stripe/webhook` (`STRIPE_WEBHOOK_SECRET`).
    pub stripe_webhook_secret: Option<SecretString>,
    /// Verifies `X-TipJar-Signature` on `/api/tipjar/webhook` (`TIPJAR_WEBHOOK_SECRET`; the
    /// simulator's secret when payments are simulated).
    pub tipjar_webhook_secret: Option<SecretString>,
    /// Origins whose pages may use the public widget endpoints, comma-separated, or `*`
    /// (`DJCALLS_ALLOWED_ORIGINS`).
    pub allowed_origins: String,
    /// Origins whose pages may embed the dashboards in a frame (`DJCALLS_FRAME_ANCESTORS`,
    /// checked `scheme://host[:port]` values). Empty: the dashboards refuse framing.
    pub frame_ancestors: Vec<String>,
    /// Where `djcalls fallback export`'s files are served (`TWILIO_VOICE_FALLBACK_BASE_URL`,
    /// no trailing slash): each number the service buys, assigns or reconfigures gets
    /// `VoiceFallbackUrl = <base>/<E.164 without +>.xml`. `None`: no fallback is configured.
    pub voice_fallback_base_url: Option<String>,
    /// Look for calls the service never saw in Twilio's call log every 15 minutes (on with
    /// real Twilio; the simulator's log holds nothing we have not seen).
    pub reconcile_calls: bool,
    /// Where voice webhooks are kept while the database is away (`DJCALLS_SPOOL_DIR`, SPEC §10).
    pub spool_dir: std::path::PathBuf,
    /// Who may read `/metrics` besides the service key and admins' tokens: the bearer
    /// `METRICS_TOKEN` (a scraper's). `None`: only those.
    pub metrics_token: Option<SecretString>,
    /// New numbers a DJ (not an admin or the service) may get after their first, per 30 days
    /// (`NUMBER_REASSIGN_LIMIT`, SPEC §11).
    pub number_reassign_limit: u32,
    /// ISO 3166 regions a forwarding number may be in (`FORWARDING_COUNTRIES`, SPEC §11).
    pub forwarding_countries: Vec<String>,
    /// Outbound webhooks: which targets they may reach, and their timeout (SPEC §14).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Where payments are reported as ad conversions (`GA4_*`, `META_*`; SPEC §14). Neither
    /// configured: nothing is sent.
    pub ad_conversions: djcalls_conversions::AdPlatforms,
    /// Where each ended call's quality is read (Twilio Voice Insights, SPEC §12;
    /// `TWILIO_CALL_QUALITY`, `TWILIO_INSIGHTS_BASE_URL`). `None`: no quality jobs.
    pub call_quality: Option<djcalls_telephony::VoiceInsightsConfig>,
}

impl Settings {
    /// The SPEC defaults with simulated telephony: no service key, 15 % cut, 10 s follow-up
    /// threshold, recording on, pool-only numbers cooling 30 days.
    pub fn for_base_url(public_base_url: &str) -> Settings {
        Settings {
            public_base_url: public_base_url.trim_end_matches('/').to_string(),
            service_key: None,
            platform_cut: CutRate::DEFAULT,
            platform_currency: "USD".to_string(),
            followup_min_talk_secs: 10,
            twilio_auth_token: SecretString::from(SIMULATOR_AUTH_TOKEN.to_string()),
            platform_number: None,
            record_calls: true,
            transcribe_calls: true,
            caller_name_lookup: false,
            number_purchase: NumberPurchase::Pool,
            number_cooling_days: 30,
            quiet_hours: (21, 8),
            missed_call_text: false,
            stripe_webhook_secret: None,
            tipjar_webhook_secret: Some(SecretString::from(SIMULATOR_WEBHOOK_SECRET.to_string())),
            allowed_origins: "*".to_string(),
            frame_ancestors: Vec::new(),
            voice_fallback_base_url: None,
            reconcile_calls: false,
            spool_dir: std::path::PathBuf::from(DEFAULT_SPOOL_DIR),
            metrics_token: None,
            number_reassign_limit: 2,
            forwarding_countries: vec!["US".to_string(), "CA".to_string()],
            webhooks: crate::webhooks::WebhookSettings::default(),
            ad_conversions: djcalls_conversions::AdPlatforms::default(),
            call_quality: None,
        }
    }
}
