//! Stripe, hand-written over reqwest: a Checkout Session for a pay-what-you-want booking deposit,
//! plus the `Stripe-Signature` check and the parsing of the two events we act on.

mod form;
mod webhook;

use std::time::Duration;

use djcalls_domain::money::Cents;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::provider::{PaymentError, PaymentLinks, SessionRequest, is_http_url};
use crate::transport;

pub use webhook::{
    STRIPE_SIGNATURE_HEADER, parse_stripe_event, sign_stripe_payload, verify_stripe_signature,
};

/// The API version every request pins, so response and event shapes cannot change under us.
/// `2026-03-25.dahlia` is the first Dahlia version (breaking changes are only made at such
/// versions); it renamed Checkout's `ui_mode` values, which we leave at the hosted default.
/// Create the webhook endpoint with the same `api_version` so events have these shapes too.
pub const STRIPE_API_VERSION: &str = "2026-03-25.dahlia";
pub const DEFAULT_STRIPE_API_BASE_URL: &str = "https://api.stripe.com";

const PROVIDER: &str = "stripe";

/// Limits of the amount the payer picks on Checkout. `None` leaves it to Stripe (which enforces
/// its own minimum charge, 50 cents for USD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositOptions {
    /// Lower-case ISO 4217, as Stripe wants it.
    pub currency: String,
    pub minimum_cents: Option<Cents>,
    pub maximum_cents: Option<Cents>,
    /// The amount Checkout suggests before the payer changes it.
    pub preset_cents: Option<Cents>,
}

impl Default for DepositOptions {
    fn default() -> Self {
        DepositOptions {
            currency: "usd".to_owned(),
            minimum_cents: None,
            maximum_cents: None,
            preset_cents: None,
        }
    }
}

impl DepositOptions {
    /// Checked at start-up: Stripe would refuse every Price made with inconsistent limits.
    fn limits_are_consistent(&self) -> bool {
        let (min, preset, max) = (self.minimum_cents, self.preset_cents, self.maximum_cents);
        let positive = [min, preset, max].iter().flatten().all(|c| c.0 > 0);
        let ordered = |low: Option<Cents>, high: Option<Cents>| match (low, high) {
            (Some(low), Some(high)) => low <= high,
            _ => true,
        };
        positive && ordered(min, preset) && ordered(preset, max) && ordered(min, max)
    }
}

/// `STRIPE_SECRET_KEY`, `STRIPE_API_BASE_URL` and friends. `Debug` redacts the key.
#[derive(Clone, Debug)]
pub struct StripeConfig {
    pub secret_key: SecretString,
    /// `https://api.stripe.com`; tests point it at a fake.
    pub api_base_url: String,
    pub timeout: Duration,
    pub deposit: DepositOptions,
}

impl StripeConfig {
    pub fn new(secret_key: SecretString) -> Self {
        StripeConfig {
            secret_key,
            api_base_url: DEFAULT_STRIPE_API_BASE_URL.to_owned(),
            timeout: transport::DEFAULT_TIMEOUT,
            deposit: DepositOptions::default(),
        }
    }
}

/// Makes Stripe Checkout Sessions. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct StripeClient {
    http: reqwest::Client,
    base_url: String,
    /// `Bearer sk_…`, marked sensitive so reqwest never prints it.
    authorization: HeaderValue,
    deposit: DepositOptions,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    url: Option<String>,
}

impl StripeClient {
    pub fn new(config: StripeConfig) -> Result<Self, PaymentError> {
        let config_error = |reason| PaymentError::Config {
            provider: PROVIDER,
            reason,
        };
        if !is_http_url(&config.api_base_url) {
            return Err(config_error("STRIPE_API_BASE_URL must be an http(s) URL"));
        }
        let key = config.secret_key.expose_secret();
        if key.is_empty() {
            return Err(config_error("STRIPE_SECRET_KEY is empty"));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| config_error("STRIPE_SECRET_KEY is not a valid header value"))?;
        authorization.set_sensitive(true);
        let deposit = config.deposit;
        if deposit.currency.len() != 3 || !deposit.currency.bytes().all(|b| b.is_ascii_lowercase())
        {
            return Err(config_error("deposit currency must be lower-case ISO 4217"));
        }
        if !deposit.limits_are_consistent() {
            return Err(config_error(
                "deposit limits must be positive with minimum <= preset <= maximum",
            ));
        }
        Ok(StripeClient {
            http: transport::http_client(PROVIDER, config.timeout)?,
            base_url: config.api_base_url.trim_end_matches('/').to_owned(),
            authorization,
            deposit,
        })
    }

    /// POSTs a form with the pinned version and an idempotency key, as every Stripe write should.
    async fn post(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &[(String, String)],
    ) -> Result<Created, PaymentError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(AUTHORIZATION, self.authorization.clone())
            .header("Stripe-Version", STRIPE_API_VERSION)
            .header("Idempotency-Key", idempotency_key)
            .form(form);
        let body = transport::send(PROVIDER, request).await?;
        transport::parse_body(PROVIDER, &body)
    }
}

#[async_trait::async_trait]
impl PaymentLinks for StripeClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// Two calls: a Price the payer can set the amount of, then a Checkout Session selling one
    /// of it. Why a Price first: Checkout lets the customer choose the amount only for a Price
    /// with `custom_unit_amount[enabled]=true` (Stripe's "Let customers decide what to pay";
    /// the field is documented as the amount "adjusted by the customer during Checkout Sessions
    /// and Payment Links"). Checkout's inline `line_items[][price_data]` has no
    /// `custom_unit_amount` (only `unit_amount`/`unit_amount_decimal`), so the Price must exist
    /// before the session. Pay-what-you-want is for one-time payments (`mode=payment`); we sell
    /// a quantity of one.
    ///
    /// Each call has its own idempotency key derived from the request's, so a retried job reuses
    /// the same Price and gets the same session back instead of creating new ones.
    async fn create_session(&self, req: &SessionRequest) -> Result<String, PaymentError> {
        req.validate()?;
        let price = self
            .post(
                "/v1/prices",
                &format!("{}-price", req.idempotency_key),
                &form::price_params(req, &self.deposit),
            )
            .await?;
        let session = self
            .post(
                "/v1/checkout/sessions",
                &format!("{}-session", req.idempotency_key),
                &form::checkout_session_params(req, &price.id),
            )
            .await?;
        let url = session
            .url
            .filter(|u| is_http_url(u))
            .ok_or(PaymentError::InvalidResponse {
                provider: PROVIDER,
                reason: "the Checkout Session has no http(s) url",
            })?;
        tracing::info!(
            provider = PROVIDER,
            price_id = %price.id,
            session_id = %session.id,
            "stripe checkout session created"
        );
        Ok(url)
    }
}
