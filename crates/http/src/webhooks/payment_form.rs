//! `PaymentWebhook<P>`: a Stripe or TipJar webhook, verified over its raw body and parsed into a
//! `PaymentEvent` (`App::verify_payment_webhook`, i.e. `Provider::verify_and_parse` with our
//! secret) before a handler runs — the payment twin of `TwilioForm`. Refused: a bare 400,
//! counted, nothing written.

use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use djcalls_app::payments::{PaymentEvent, Provider, WebhookError};
use std::marker::PhantomData;

/// A payment provider with a webhook route of its own.
pub trait PaymentRoute {
    const PROVIDER: Provider;
}

pub struct Stripe;
pub struct TipJar;

impl PaymentRoute for Stripe {
    const PROVIDER: Provider = Provider::Stripe;
}

impl PaymentRoute for TipJar {
    const PROVIDER: Provider = Provider::TipJar;
}

pub struct PaymentWebhook<P> {
    pub event: PaymentEvent,
    provider: PhantomData<P>,
}

impl<P: PaymentRoute + Send> FromRequest<HttpState> for PaymentWebhook<P> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &HttpState) -> Result<Self, Response> {
        let provider = P::PROVIDER;
        // A header that is not visible ASCII cannot be a valid signature: treat it as absent.
        let signature = req
            .headers()
            .get(provider.signature_header())
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match state
            .app
            .verify_payment_webhook(provider, signature.as_deref(), &body)
        {
            Ok(event) => Ok(PaymentWebhook {
                event,
                provider: PhantomData,
            }),
            Err(WebhookError::Rejected(reason)) => {
                super::payments::count(provider, "rejected");
                tracing::warn!(provider = provider.as_str(), %reason, "payment webhook refused");
                Err(StatusCode::BAD_REQUEST.into_response())
            }
            Err(WebhookError::Failed(e)) => {
                super::payments::count(provider, "failed");
                tracing::error!(provider = provider.as_str(), error = %crate::error::error_chain(&e), "payment webhook failed");
                Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
        }
    }
}
