//! Payments (SPEC §8): opening a payment link, and verified provider webhooks into the ledger.
//!
//! - [`App::open_pay_link`] counts an open of `/pay/<token>`, asks the configured provider for a
//!   session and says where to send the payer.
//! - [`App::receive_payment_webhook`] verifies a Stripe or TipJar webhook on its raw body, parses
//!   it (`Provider::verify_and_parse`, via [`App::verify_payment_webhook`]) and records what it
//!   means in the ledger, once ([`App::record_payment_event`]).
//! - [`App::simulated_checkout`] / [`App::complete_simulated_payment`] play the provider in the
//!   demo: completing the page signs a TipJar `payment.succeeded` webhook and hands it to
//!   [`App::receive_payment_webhook`], the production verification path.

mod ledger_jobs;
mod links;
mod simulated;
mod webhooks;

use crate::{App, AppError};
use djcalls_domain::{Actor, Cents};
use djcalls_payments::WebhookRejection;
use djcalls_payments::provider::contains_phone_like;
use djcalls_store::payments::{NewPayment, NewRefund, RefundOutcome};
use sha2::{Digest, Sha256};

pub use djcalls_payments::stripe::{
    STRIPE_SIGNATURE_HEADER, parse_stripe_event, sign_stripe_payload,
};
pub use djcalls_payments::tipjar::{TIPJAR_SIGNATURE_HEADER, sign_tipjar_payload};
pub use djcalls_payments::{
    DEFAULT_TOLERANCE_SECS, PaymentError, PaymentEvent, PaymentLinks, Provider, RefundAmount,
    SessionRequest, SignatureError, SimulatedPayments, StripeClient, StripeConfig, TipJarClient,
    TipJarConfig,
};

/// Re-opening a link within the same window of this many seconds reuses the provider session
/// (same idempotency key); the next window makes a new one.
///
/// Why a time bucket and not "one key per link" or "one key per open": Stripe keeps
/// idempotency keys for at least 24 hours and Checkout Sessions expire after 24 hours, so one
/// key per link would hand back an expired session to a payer who comes back the next day; one
/// key per open would create a Price and a Session on every tap (and a second tab would get a
/// second session). An hour keeps double taps, reloads and retries on one session, and a link
/// opened later always gets a fresh, live one. Payment ids are per session, so the ledger still
/// records each actual payment once.
pub const SESSION_REUSE_SECS: i64 = 3600;

/// Tokens are short URL-safe strings; anything else is not ours and is answered 404 without a
/// database read.
const MAX_TOKEN_LEN: usize = 128;

/// Where `/pay/<token>` should send the payer.
#[derive(Debug, thiserror::Error)]
pub enum PayLinkError {
    /// Unknown or revoked token.
    #[error("payment link not found")]
    NotFound,
    /// The provider did not make a session; `retryable` says whether trying again soon may work.
    #[error("the payment provider made no session (retryable: {retryable})")]
    Provider { retryable: bool },
    #[error("opening the payment link failed")]
    Internal(#[source] AppError),
}

impl From<AppError> for PayLinkError {
    fn from(e: AppError) -> Self {
        PayLinkError::Internal(e)
    }
}

impl From<djcalls_store::StoreError> for PayLinkError {
    fn from(e: djcalls_store::StoreError) -> Self {
        PayLinkError::Internal(e.into())
    }
}

/// What a verified payment webhook did. Every variant is answered 2xx.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// A payment was recorded (`new`: false when this payment id was recorded before).
    Paid { new: bool },
    /// A payment in another currency than `PLATFORM_CURRENCY`: kept for admins, not counted
    /// (`new`: false when it was kept before).
    HeldForeignCurrency { new: bool },
    /// A refund: `Some(cents)` (negative) recorded now, `None` when nothing new.
    Refunded { recorded: Option<Cents> },
    /// A refund of a payment not recorded yet: kept, and applied when the payment arrives.
    RefundPending,
    /// A well-formed event we do not act on.
    Ignored,
    /// Nothing of ours to attach it to (unknown reference or payment).
    Unmatched,
}

/// Why a payment webhook was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Missing secret, missing/bad signature, or a signed body we cannot read: 400, nothing
    /// written. The text is for the log.
    #[error("payment webhook rejected: {0}")]
    Rejected(String),
    /// We failed (database): 500 so the provider retries later.
    #[error("recording the payment webhook failed")]
    Failed(#[source] AppError),
}

/// A simulated payment page's content.
#[derive(Clone, Debug)]
pub struct SimulatedCheckout {
    pub dj_name: String,
    pub description: String,
}

/// Why the simulated payment page cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SimulatedPayError {
    /// Not the simulator, unknown session or link, or a revoked link: 404.
    #[error("simulated payment not found")]
    NotFound,
    /// The amount is not a positive number of dollars and cents.
    #[error("the amount is not a positive number of dollars and cents")]
    InvalidAmount,
    #[error("the simulated payment's webhook was not accepted")]
    Webhook(#[source] WebhookError),
}

/// `paylink-<link id>-<hour>-<fingerprint>`: stable for retries and re-opens within
/// [`SESSION_REUSE_SECS`]; the fingerprint of everything else we send keeps Stripe from
/// refusing a reused key with different parameters (a DJ renamed within the hour).
fn session_idempotency_key(link_id: &uuid::Uuid, now_unix: i64, req: &SessionRequest) -> String {
    let mut hash = Sha256::new();
    for part in [
        req.reference.as_str(),
        &req.dj_name,
        &req.description,
        &req.success_url,
        &req.cancel_url,
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let fingerprint = hex::encode(&hash.finalize()[..8]);
    let bucket = now_unix.div_euclid(SESSION_REUSE_SECS);
    format!("paylink-{}-{bucket}-{fingerprint}", link_id.simple())
}

fn is_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The simulator's session ids: `sim_` and 32 hex digits.
fn is_session_id(id: &str) -> bool {
    id.strip_prefix("sim_")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `"150"`, `"150.5"`, `"$1,150.00"` → cents; `None` unless a positive amount with at most two
/// decimals and at most $1,000,000.
pub fn parse_dollars(raw: &str) -> Option<Cents> {
    let cleaned: String = raw
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && frac.is_empty()
        || whole.len() > 7
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Cents::payment(whole * 100 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SessionRequest {
        SessionRequest {
            reference: "ref_1".into(),
            dj_profile_id: djcalls_domain::DjProfileId(uuid::Uuid::nil()),
            dj_name: "DJ Nova".into(),
            description: "Booking deposit for DJ Nova".into(),
            idempotency_key: String::new(),
            success_url: "https://x.example/pay/t/done".into(),
            cancel_url: "https://x.example/pay/t/cancelled".into(),
        }
    }

    #[test]
    fn the_idempotency_key_is_stable_within_the_hour_and_changes_after() {
        let id = uuid::Uuid::from_u128(7);
        let r = request();
        let a = session_idempotency_key(&id, 1_800_000_000, &r);
        assert_eq!(a, session_idempotency_key(&id, 1_800_000_001, &r));
        assert_ne!(a, session_idempotency_key(&id, 1_800_000_000 + 3_600, &r));
        let mut renamed = r.clone();
        renamed.dj_name = "DJ Vega".into();
        assert_ne!(a, session_idempotency_key(&id, 1_800_000_000, &renamed));
        assert!(a.len() < 100 && a.starts_with("paylink-"));
    }

    #[test]
    fn dollars_parse_to_cents() {
        assert_eq!(parse_dollars("100"), Some(Cents(10_000)));
        assert_eq!(parse_dollars("$99.9"), Some(Cents(9_990)));
        assert_eq!(parse_dollars("0.05"), Some(Cents(5)));
        assert_eq!(parse_dollars("1,150.00"), Some(Cents(115_000)));
        assert_eq!(parse_dollars(".5"), Some(Cents(50)));
        for bad in ["", "0", "-5", "1.234", "abc", "1e3", "99999999", "."] {
            assert_eq!(parse_dollars(bad), None, "{bad}");
        }
    }

    #[test]
    fn tokens_and_session_ids_are_checked_before_any_lookup() {
        assert!(is_token("aZ09_-"));
        assert!(!is_token("a/b") && !is_token("") && !is_token(&"a".repeat(129)));
        assert!(is_session_id("sim_0123456789abcdef0123456789abcdef"));
        assert!(!is_session_id("sim_xyz") && !is_session_id("0123456789abcdef0123456789abcdef"));
    }
}
