//! Payment webhooks: Stripe (`Stripe-Signature`) and TipJar (`X-TipJar-Signature`), SPEC §8.
//!
//! The body is taken raw (the signature covers its exact bytes) with a 1 MiB limit on these two
//! routes (Stripe events can outgrow the global 64 KiB). Answers are bare statuses: 200 when the
//! event is recorded, already recorded, or not ours to act on; 400 when it is not verifiably
//! from the provider (nothing written); 500 when we failed, so the provider retries.

use crate::state::HttpState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use djcalls_app::payments::{
    Provider, STRIPE_SIGNATURE_HEADER, TIPJAR_SIGNATURE_HEADER, WebhookError, WebhookOutcome,
};

pub const STRIPE_WEBHOOK: &str = "/api/stripe/webhook";
pub const TIPJAR_WEBHOOK: &str = "/api/tipjar/webhook";

/// Largest webhook body accepted on these routes.
pub const WEBHOOK_BODY_LIMIT: usize = 1 << 20;

pub fn router() -> Router<HttpState> {
    Router::new()
        .route(
            STRIPE_WEBHOOK,
            post(stripe).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
        .route(
            TIPJAR_WEBHOOK,
            post(tipjar).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
}

async fn stripe(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    receive(
        &state,
        Provider::Stripe,
        STRIPE_SIGNATURE_HEADER,
        &headers,
        &body,
    )
    .await
}

async fn tipjar(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    receive(
        &state,
        Provider::TipJar,
        TIPJAR_SIGNATURE_HEADER,
        &headers,
        &body,
    )
    .await
}

async fn receive(
    state: &HttpState,
    provider: Provider,
    header_name: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    // A header that is not visible ASCII cannot be a valid signature: treat it as absent.
    let signature = headers.get(header_name).and_then(|v| v.to_str().ok());
    let result = state
        .app
        .receive_payment_webhook(provider, signature, body)
        .await;
    let outcome = match &result {
        Ok(WebhookOutcome::Paid { new: true }) => "paid",
        Ok(WebhookOutcome::Paid { new: false }) => "duplicate",
        Ok(WebhookOutcome::Refunded { recorded: Some(_) }) => "refunded",
        Ok(WebhookOutcome::Refunded { recorded: None }) => "duplicate",
        Ok(WebhookOutcome::Ignored) => "ignored",
        Ok(WebhookOutcome::Unmatched) => "unmatched",
        Err(WebhookError::Rejected(_)) => "rejected",
        Err(WebhookError::Failed(_)) => "failed",
    };
    metrics::counter!(
        "djcalls_payment_webhooks_total",
        "provider" => provider.as_str(),
        "outcome" => outcome
    )
    .increment(1);
    match result {
        Ok(_) => StatusCode::OK.into_response(),
        Err(WebhookError::Rejected(reason)) => {
            tracing::warn!(
                provider = provider.as_str(),
                %reason,
                "payment webhook refused"
            );
            StatusCode::BAD_REQUEST.into_response()
        }
        Err(WebhookError::Failed(e)) => {
            tracing::error!(provider = provider.as_str(), error = %crate::error::error_chain(&e), "payment webhook failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
