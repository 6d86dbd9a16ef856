//! Payments (SPEC §8): opening a payment link, and verified provider webhooks into the ledger.
//!
//! - [`App::open_pay_link`] counts an open of `/pay/<token>`, asks the configured provider for a
//!   session and says where to send the payer.
//! - [`App::receive_payment_webhook`] verifies a Stripe or TipJar webhook on its raw body, parses
//!   it and records what it means in the ledger, once.
//! - [`App::simulated_checkout`] / [`App::complete_simulated_payment`] play the provider in the
//!   demo: completing the page signs a TipJar `payment.succeeded` webhook and hands it to
//!   [`App::receive_payment_webhook`], the production verification path.

use crate::{App, AppError};
use djcalls_domain::{Actor, Cents};
use djcalls_payments::provider::contains_phone_like;
use djcalls_payments::stripe::verify_stripe_signature;
use djcalls_payments::tipjar::{parse_tipjar_event, verify_tipjar_signature};
use djcalls_store::payments::{EntryKind, LedgerEntry, NewRefund, RefundOutcome, RefundSize};
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
#[derive(Debug)]
pub enum PayLinkError {
    /// Unknown or revoked token.
    NotFound,
    /// The provider did not make a session; `retryable` says whether trying again soon may work.
    Provider {
        retryable: bool,
    },
    Internal(AppError),
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
    /// A refund: `Some(cents)` (negative) recorded now, `None` when nothing new.
    Refunded { recorded: Option<Cents> },
    /// A well-formed event we do not act on.
    Ignored,
    /// Nothing of ours to attach it to (unknown reference or payment).
    Unmatched,
}

/// Why a payment webhook was not accepted.
#[derive(Debug)]
pub enum WebhookError {
    /// Missing secret, missing/bad signature, or a signed body we cannot read: 400, nothing
    /// written. The text is for the log.
    Rejected(String),
    /// We failed (database): 500 so the provider retries later.
    Failed(AppError),
}

/// A simulated payment page's content.
#[derive(Clone, Debug)]
pub struct SimulatedCheckout {
    pub dj_name: String,
    pub description: String,
}

/// Why the simulated payment page cannot be used.
#[derive(Debug)]
pub enum SimulatedPayError {
    /// Not the simulator, unknown session or link, or a revoked link: 404.
    NotFound,
    /// The amount is not a positive number of dollars and cents.
    InvalidAmount,
    Webhook(WebhookError),
}

impl App {
    /// `GET /pay/{token}`: counts the open of a live link, creates the provider's session and
    /// returns the URL to redirect the payer to (303).
    pub async fn open_pay_link(&self, token: &str) -> Result<String, PayLinkError> {
        if !is_token(token) {
            return Err(PayLinkError::NotFound);
        }
        let now = self.now();
        let link = self
            .store
            .open_payment_link(token, now)
            .await?
            .ok_or(PayLinkError::NotFound)?;
        let profile = self
            .store
            .profile(&Actor::System, link.dj_profile_id)
            .await?;
        // A DJ name that looks like it holds a phone number never goes to a provider.
        let dj_name = profile
            .map(|p| p.dj_name.trim().to_string())
            .filter(|n| !n.is_empty() && !contains_phone_like(n))
            .unwrap_or_else(|| "your DJ".to_string());
        let base = &self.settings.public_base_url;
        let mut request = SessionRequest {
            reference: link.reference.clone(),
            dj_profile_id: link.dj_profile_id,
            description: format!("Booking deposit for {dj_name}"),
            dj_name,
            idempotency_key: String::new(),
            success_url: format!("{base}/pay/{token}/done"),
            cancel_url: format!("{base}/pay/{token}/cancelled"),
        };
        request.idempotency_key = session_idempotency_key(&link.id, now.0.as_second(), &request);
        let provider = self.payments.name();
        match self.payments.create_session(&request).await {
            Ok(url) => {
                tracing::info!(
                    provider,
                    call_id = %link.call_id,
                    opens = link.opens,
                    "payment link opened"
                );
                Ok(if provider == "simulator" {
                    // The simulator's page is ours too and needs to know which link it serves.
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{sep}link={token}")
                } else {
                    url
                })
            }
            Err(e) => {
                let retryable = e.is_retryable();
                tracing::error!(
                    provider,
                    call_id = %link.call_id,
                    retryable,
                    error = %e,
                    "payment provider could not create a session"
                );
                Err(PayLinkError::Provider { retryable })
            }
        }
    }

    /// `POST /api/stripe/webhook` and `POST /api/tipjar/webhook`: verifies `signature` (the
    /// `Stripe-Signature` / `X-TipJar-Signature` header) over the raw body with the configured
    /// secret and a 300 s tolerance in both directions, then records the event.
    ///
    /// Idempotency: a payment is one ledger row per `(provider, payment id)` and a refund one
    /// per `(provider, refund key)`, both unique in the schema. A redelivered event carries the
    /// same payment id / refund key, so it writes nothing and is answered 200 again; a second
    /// event about the same payment (e.g. `checkout.session.async_payment_succeeded` after
    /// `completed`) records nothing either.
    pub async fn receive_payment_webhook(
        &self,
        provider: Provider,
        signature: Option<&str>,
        raw_body: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        let (secret, variable) = match provider {
            Provider::Stripe => (
                &self.settings.stripe_webhook_secret,
                "STRIPE_WEBHOOK_SECRET",
            ),
            Provider::TipJar => (
                &self.settings.tipjar_webhook_secret,
                "TIPJAR_WEBHOOK_SECRET",
            ),
        };
        let Some(secret) = secret else {
            tracing::error!(
                provider = provider.as_str(),
                "{variable} is not set: payment webhooks cannot be verified and are refused"
            );
            return Err(WebhookError::Rejected(format!("{variable} is not set")));
        };
        let Some(signature) = signature else {
            return Err(WebhookError::Rejected("no signature header".into()));
        };
        let now = self.clock.now().as_second();
        let verified = match provider {
            Provider::Stripe => {
                verify_stripe_signature(secret, signature, raw_body, now, DEFAULT_TOLERANCE_SECS)
            }
            Provider::TipJar => {
                verify_tipjar_signature(secret, signature, raw_body, now, DEFAULT_TOLERANCE_SECS)
            }
        };
        verified.map_err(|e| WebhookError::Rejected(e.to_string()))?;
        let event = match provider {
            Provider::Stripe => parse_stripe_event(raw_body),
            Provider::TipJar => parse_tipjar_event(raw_body),
        }
        .map_err(|e| WebhookError::Rejected(e.to_string()))?;
        self.record_payment_event(event)
            .await
            .map_err(WebhookError::Failed)
    }

    /// Records a verified, parsed event.
    async fn record_payment_event(&self, event: PaymentEvent) -> Result<WebhookOutcome, AppError> {
        match event {
            PaymentEvent::Ignored {
                event_id,
                event_type,
                reason,
            } => {
                tracing::info!(%event_id, %event_type, reason, "payment webhook ignored");
                Ok(WebhookOutcome::Ignored)
            }
            PaymentEvent::Paid {
                provider,
                event_id,
                provider_payment_id,
                amount_cents,
                currency,
                reference,
            } => {
                let Some(link) = self.store.payment_link_by_reference(&reference).await? else {
                    // 200, not 404: the reference is not one of ours (another integration on the
                    // same Stripe account, a test event, a deleted link). Nothing would change
                    // on a retry, and a 4xx makes the provider resend it for days. The warning
                    // carries the ids an operator needs to reconcile by hand.
                    tracing::warn!(
                        provider = provider.as_str(),
                        %event_id,
                        %provider_payment_id,
                        "payment for an unknown reference; not recorded"
                    );
                    return Ok(WebhookOutcome::Unmatched);
                };
                warn_on_currency(provider, &event_id, &currency);
                let entry = LedgerEntry {
                    call_id: link.call_id,
                    dj_profile_id: link.dj_profile_id,
                    provider: provider.as_str().to_string(),
                    kind: EntryKind::Payment,
                    provider_entry_id: provider_payment_id.clone(),
                    provider_payment_id,
                    amount: amount_cents,
                    currency,
                    at: self.now(),
                };
                let new = self
                    .store
                    .record_ledger_entry(&Actor::System, &entry, self.settings.platform_cut)
                    .await?;
                tracing::info!(
                    provider = provider.as_str(),
                    %event_id,
                    call_id = %entry.call_id,
                    amount_cents = entry.amount.0,
                    new,
                    "payment recorded"
                );
                Ok(WebhookOutcome::Paid { new })
            }
            PaymentEvent::Refunded {
                provider,
                event_id,
                provider_payment_id,
                refund_key,
                refunded,
                currency,
            } => {
                warn_on_currency(provider, &event_id, &currency);
                let size = match refunded {
                    RefundAmount::Cumulative { total_cents } => RefundSize::Cumulative(total_cents),
                    RefundAmount::Single { amount_cents } => RefundSize::Single(amount_cents),
                };
                let refund = NewRefund {
                    provider: provider.as_str().to_string(),
                    provider_payment_id,
                    refund_key,
                    size,
                    currency,
                    at: self.now(),
                };
                match self.store.record_refund(&refund).await? {
                    RefundOutcome::Recorded { call_id, amount } => {
                        tracing::info!(
                            provider = provider.as_str(),
                            %event_id,
                            %call_id,
                            amount_cents = amount.0,
                            "refund recorded"
                        );
                        Ok(WebhookOutcome::Refunded {
                            recorded: Some(amount),
                        })
                    }
                    RefundOutcome::Duplicate | RefundOutcome::NothingNew => {
                        tracing::info!(provider = provider.as_str(), %event_id, "refund already recorded");
                        Ok(WebhookOutcome::Refunded { recorded: None })
                    }
                    RefundOutcome::UnknownPayment => {
                        // 200 for the same reason as an unknown reference. Stripe's later refund
                        // events carry the cumulative total, so they still catch up once the
                        // payment is known.
                        tracing::warn!(
                            provider = provider.as_str(),
                            %event_id,
                            provider_payment_id = %refund.provider_payment_id,
                            "refund of an unknown payment; not recorded"
                        );
                        Ok(WebhookOutcome::Unmatched)
                    }
                }
            }
        }
    }

    /// The simulated provider's payment page for `session_id`, reached from `/pay/<token>`.
    /// `None` unless payments are simulated and the link is live.
    pub async fn simulated_checkout(
        &self,
        session_id: &str,
        token: &str,
    ) -> Result<SimulatedCheckout, SimulatedPayError> {
        if self.payments.name() != "simulator" || !is_session_id(session_id) || !is_token(token) {
            return Err(SimulatedPayError::NotFound);
        }
        let link = self
            .store
            .payment_link_by_token(token)
            .await
            .map_err(|e| SimulatedPayError::Webhook(WebhookError::Failed(e.into())))?
            .filter(|l| l.revoked_at.is_none())
            .ok_or(SimulatedPayError::NotFound)?;
        let dj_name = self
            .store
            .profile(&Actor::System, link.dj_profile_id)
            .await
            .map_err(|e| SimulatedPayError::Webhook(WebhookError::Failed(e.into())))?
            .map(|p| p.dj_name)
            .unwrap_or_else(|| "your DJ".to_string());
        Ok(SimulatedCheckout {
            description: format!("Booking deposit for {dj_name}"),
            dj_name,
        })
    }

    /// Completes a simulated payment of `amount` on `session_id`: signs the TipJar
    /// `payment.succeeded` webhook the simulator would send (the same event and payment ids as
    /// `SimulatedPayments::payment_succeeded_webhook`, so paying one session twice records once)
    /// with `TIPJAR_WEBHOOK_SECRET` and hands it to [`App::receive_payment_webhook`].
    ///
    /// The page is built here rather than by `SimulatedPayments` itself because `App` holds the
    /// provider as `Arc<dyn PaymentLinks>`, which cannot be turned back into the simulator; the
    /// session is instead tied to its link by the token our redirect appended.
    pub async fn complete_simulated_payment(
        &self,
        session_id: &str,
        token: &str,
        amount: Cents,
    ) -> Result<WebhookOutcome, SimulatedPayError> {
        if amount.0 <= 0 {
            return Err(SimulatedPayError::InvalidAmount);
        }
        self.simulated_checkout(session_id, token).await?;
        let link = self
            .store
            .payment_link_by_token(token)
            .await
            .map_err(|e| SimulatedPayError::Webhook(WebhookError::Failed(e.into())))?
            .ok_or(SimulatedPayError::NotFound)?;
        let Some(secret) = &self.settings.tipjar_webhook_secret else {
            return Err(SimulatedPayError::Webhook(WebhookError::Rejected(
                "TIPJAR_WEBHOOK_SECRET is not set".into(),
            )));
        };
        let body = serde_json::json!({
            "id": format!("evt_{session_id}_paid"),
            "type": "payment.succeeded",
            "data": {
                "payment_id": SimulatedPayments::payment_id(session_id),
                "amount_cents": amount.0,
                "currency": "usd",
                "reference": link.reference,
            }
        })
        .to_string();
        let header = sign_tipjar_payload(secret, self.clock.now().as_second(), body.as_bytes());
        self.receive_payment_webhook(Provider::TipJar, Some(&header), body.as_bytes())
            .await
            .map_err(SimulatedPayError::Webhook)
    }
}

/// Analytics add cents whatever their currency (the ledger has one currency column and the
/// SPEC's figures are dollars); a foreign currency is recorded as sent and flagged here.
fn warn_on_currency(provider: Provider, event_id: &str, currency: &str) {
    if !currency.eq_ignore_ascii_case("USD") {
        tracing::warn!(
            provider = provider.as_str(),
            %event_id,
            currency,
            "payment in a currency other than USD; recorded as is, analytics add its cents as if USD"
        );
    }
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
    let cents = whole * 100 + frac;
    (cents > 0 && cents <= 100_000_000).then_some(Cents(cents))
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
