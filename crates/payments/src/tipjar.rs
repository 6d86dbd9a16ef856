//! The seed's TipJar service: `POST TIPJAR_API_URL` makes a payment session and answers with the
//! URL to send the payer to; its webhooks are signed like Stripe's.

mod webhook;

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::provider::{PaymentError, PaymentLinks, SessionRequest, is_http_url};
use crate::transport;

pub(crate) use webhook::{PAYMENT_REFUNDED, PAYMENT_SUCCEEDED};
pub use webhook::{
    TIPJAR_SIGNATURE_HEADER, parse_tipjar_event, sign_tipjar_payload, verify_tipjar_signature,
};

const PROVIDER: &str = "tipjar";

/// `TIPJAR_API_URL` and `TIPJAR_API_KEY`. `Debug` redacts the key.
#[derive(Clone, Debug)]
pub struct TipJarConfig {
    pub api_url: String,
    pub api_key: SecretString,
    pub timeout: Duration,
}

impl TipJarConfig {
    pub fn new(api_url: impl Into<String>, api_key: SecretString) -> Self {
        TipJarConfig {
            api_url: api_url.into(),
            api_key,
            timeout: transport::DEFAULT_TIMEOUT,
        }
    }
}

/// Makes TipJar payment sessions.
#[derive(Debug)]
pub struct TipJarClient {
    http: reqwest::Client,
    api_url: String,
    authorization: HeaderValue,
}

/// The request body the seed defines. `amount: null` lets the payer choose.
#[derive(Serialize)]
struct CreateSession<'a> {
    dj_profile_id: String,
    reference: &'a str,
    description: &'a str,
    amount: Option<i64>,
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "paymentUrl")]
    payment_url: Option<String>,
}

impl TipJarClient {
    pub fn new(config: TipJarConfig) -> Result<Self, PaymentError> {
        let config_error = |reason| PaymentError::Config {
            provider: PROVIDER,
            reason,
        };
        if !is_http_url(&config.api_url) {
            return Err(config_error("TIPJAR_API_URL must be an http(s) URL"));
        }
        let key = config.api_key.expose_secret();
        if key.is_empty() {
            return Err(config_error("TIPJAR_API_KEY is empty"));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| config_error("TIPJAR_API_KEY is not a valid header value"))?;
        authorization.set_sensitive(true);
        Ok(TipJarClient {
            http: transport::http_client(PROVIDER, config.timeout)?,
            api_url: config.api_url,
            authorization,
        })
    }
}

#[async_trait::async_trait]
impl PaymentLinks for TipJarClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// `POST {TIPJAR_API_URL}` with `{"dj_profile_id", "reference", "description", "amount": null}`,
    /// answered by `{"paymentUrl": "…"}`. The seed defines no idempotency for TipJar; we send an
    /// `Idempotency-Key` header anyway, which a service that ignores it loses nothing by.
    async fn create_session(&self, req: &SessionRequest) -> Result<String, PaymentError> {
        req.validate()?;
        let body = CreateSession {
            dj_profile_id: req.dj_profile_id.to_string(),
            reference: &req.reference,
            description: &req.description,
            amount: None,
        };
        let request = self
            .http
            .post(&self.api_url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header("Idempotency-Key", &req.idempotency_key)
            .json(&body);
        let answer = transport::send(PROVIDER, request).await?;
        let created: Created = transport::parse_body(PROVIDER, &answer)?;
        let url = created.payment_url.ok_or(PaymentError::InvalidResponse {
            provider: PROVIDER,
            reason: "the answer has no paymentUrl",
        })?;
        if !is_http_url(&url) {
            return Err(PaymentError::InvalidResponse {
                provider: PROVIDER,
                reason: "paymentUrl is not an http(s) URL",
            });
        }
        tracing::info!(provider = PROVIDER, "tipjar payment session created");
        Ok(url)
    }
}
