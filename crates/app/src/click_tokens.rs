//! Signed click tokens (issue 10): the widget's DNI answer carries, per DJ, a token that a
//! click must bring back, so clicks come from pages that asked for that DJ's number rather than
//! from anyone who knows a profile id. A click without a valid token is refused.
//!
//! `<issued unix seconds>.<base64url HMAC-SHA256(key, "<dj id>.<issued>")>`, valid for
//! [`CLICK_TOKEN_LIFETIME`] (a page left open all day still records its clicks). The key is
//! derived from the service key (or, without one, the Twilio auth token), so every process
//! signs and checks alike with no new setting; rotating that secret invalidates open pages'
//! tokens, which costs at most a day of clicks.

use crate::App;
use base64::Engine as _;
use djcalls_domain::DjProfileId;
use hmac::{Hmac, KeyInit, Mac};
use jiff::SignedDuration;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How long a DNI answer's token is accepted.
pub const CLICK_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(24);
/// Tolerated clock difference between processes.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// The HMAC keyed for click tokens, derived once per app: every DNI answer signs a token per
/// DJ, so the key derivation and HMAC's key pads are not redone per token.
#[derive(Clone)]
pub(crate) struct ClickKey(HmacSha256);

impl ClickKey {
    pub(crate) fn derive(settings: &crate::Settings) -> ClickKey {
        let secret = match &settings.service_key {
            Some(key) => key.expose_secret(),
            None => settings.twilio_auth_token.expose_secret(),
        };
        let key = Sha256::digest(format!("djcalls click token v1\n{secret}").as_bytes());
        ClickKey(
            <HmacSha256 as KeyInit>::new_from_slice(&key)
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length")),
        )
    }
}

impl std::fmt::Debug for ClickKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClickKey([secret])")
    }
}

impl App {
    fn click_mac(&self, dj: DjProfileId, issued: i64) -> HmacSha256 {
        let mut mac = self.click_key.0.clone();
        mac.update(format!("{dj}.{issued}").as_bytes());
        mac
    }

    /// When a token made now says it was issued: the start of the current minute, so every
    /// answer within a minute carries the same token for a DJ and the rendered DNI entry can be
    /// reused (`http/src/api/numbers/dni_entries.rs`); a token lives a minute less at most.
    pub fn click_token_issue(&self) -> i64 {
        self.now().0.as_second().div_euclid(60) * 60
    }

    /// A token for clicks on `dj`'s widget, issued now.
    pub fn click_token(&self, dj: DjProfileId) -> String {
        self.click_token_at(dj, self.click_token_issue())
    }

    /// The token for clicks on `dj`'s widget issued at `issued` (unix seconds).
    pub fn click_token_at(&self, dj: DjProfileId, issued: i64) -> String {
        let tag = self.click_mac(dj, issued).finalize().into_bytes();
        format!(
            "{issued}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Whether `token` was issued by this service for `dj` and is still current.
    pub fn click_token_is_valid(&self, dj: DjProfileId, token: &str) -> bool {
        let Some((issued, tag)) = token.split_once('.') else {
            return false;
        };
        let (Ok(issued), Ok(tag)) = (
            issued.parse::<i64>(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag),
        ) else {
            return false;
        };
        let age = SignedDuration::from_secs(self.now().0.as_second().saturating_sub(issued));
        if age > CLICK_TOKEN_LIFETIME || age < -CLOCK_SKEW {
            return false;
        }
        self.click_mac(dj, issued).verify_slice(&tag).is_ok()
    }
}
