//! Provider webhooks: Twilio's voice and SMS callbacks (signed form posts answered with TwiML),
//! Stripe and TipJar payments. One pattern for all: an extractor per provider verifies the
//! signature and parses the typed payload through the provider crate's seam (`TwilioForm<W>`,
//! `PaymentWebhook<P>`), so a handler only sees verified input. Failures answer a bare status:
//! the caller is a machine that reads only the code.

mod documented;
mod payment_form;
mod payments;
mod sms;
mod twilio_form;
mod voice;

pub use payments::{STRIPE_WEBHOOK, TIPJAR_WEBHOOK};
pub use twilio_form::TwilioForm;

use crate::state::HttpState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use djcalls_app::AppError;
use utoipa_axum::router::OpenApiRouter;

/// Every webhook route, documented (`documented::webhook`).
pub fn router() -> OpenApiRouter<HttpState> {
    let router = OpenApiRouter::new();
    let router = voice::routes(router);
    let router = sms::routes(router);
    payments::routes(router)
}

/// A Twilio webhook the app could not handle: 503 when the database (or a provider) is away,
/// 500 otherwise, so Twilio logs it and may try again. The whole cause goes to the log.
fn twilio_failed(which: &'static str, e: AppError) -> Response {
    let status = match e {
        AppError::DatabaseUnavailable(_) | AppError::Unavailable(_) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    tracing::error!(webhook = which, status = status.as_u16(), error = %crate::error::error_chain(&e), "Twilio webhook failed");
    status.into_response()
}
