//! Payment webhooks: Stripe (`Stripe-Signature`) and TipJar (`X-TipJar-Signature`), SPEC §8.
//!
//! `PaymentWebhook` verifies and parses the raw body (the signature covers its exact bytes)
//! before a handler runs, with a 1 MiB limit on these two routes (Stripe events can outgrow the
//! global 64 KiB). Answers are bare statuses: 200 when the event is recorded, already recorded,
//! or not ours to act on; 400 when it is not verifiably from the provider (nothing written);
//! 500 when we failed, so the provider retries.

use super::documented::{Signer, webhook};
use super::payment_form::{PaymentWebhook, Stripe, TipJar};
use crate::state::HttpState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use djcalls_app::payments::{PaymentEvent, Provider, WebhookOutcome};
use utoipa_axum::router::OpenApiRouter;

pub const STRIPE_WEBHOOK: &str = "/api/stripe/webhook";
pub const TIPJAR_WEBHOOK: &str = "/api/tipjar/webhook";

/// Largest webhook body accepted on these routes.
pub const WEBHOOK_BODY_LIMIT: usize = 1 << 20;

pub fn routes(router: OpenApiRouter<HttpState>) -> OpenApiRouter<HttpState> {
    let router = webhook(
        router,
        STRIPE_WEBHOOK,
        "Stripe: checkout and refund events",
        Signer::Stripe,
        post(stripe).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
    );
    webhook(
        router,
        TIPJAR_WEBHOOK,
        "TipJar: payment and refund events",
        Signer::TipJar,
        post(tipjar).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
    )
}

async fn stripe(State(state): State<HttpState>, webhook: PaymentWebhook<Stripe>) -> Response {
    record(&state, Provider::Stripe, webhook.event).await
}

async fn tipjar(State(state): State<HttpState>, webhook: PaymentWebhook<TipJar>) -> Response {
    record(&state, Provider::TipJar, webhook.event).await
}

/// `djcalls_payment_webhooks_total{provider, outcome}`.
pub(super) fn count(provider: Provider, outcome: &'static str) {
    metrics::counter!(
        "djcalls_payment_webhooks_total",
        "provider" => provider.as_str(),
        "outcome" => outcome
    )
    .increment(1);
}

/// Records a verified event: 200 whatever it meant to us, 500 when we failed (so the
/// provider retries).
async fn record(state: &HttpState, provider: Provider, event: PaymentEvent) -> Response {
    let result = state.app.record_payment_event(event).await;
    let outcome = match &result {
        Ok(WebhookOutcome::Paid { new: true }) => "paid",
        Ok(WebhookOutcome::Paid { new: false }) => "duplicate",
        Ok(WebhookOutcome::HeldForeignCurrency { new: true }) => "foreign_currency",
        Ok(WebhookOutcome::HeldForeignCurrency { new: false }) => "duplicate",
        Ok(WebhookOutcome::Refunded { recorded: Some(_) }) => "refunded",
        Ok(WebhookOutcome::Refunded { recorded: None }) => "duplicate",
        Ok(WebhookOutcome::RefundPending) => "refund_pending",
        Ok(WebhookOutcome::Ignored) => "ignored",
        Ok(WebhookOutcome::Unmatched) => "unmatched",
        Err(_) => "failed",
    };
    count(provider, outcome);
    match result {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::error!(provider = provider.as_str(), error = %crate::error::error_chain(&e), "payment webhook failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
