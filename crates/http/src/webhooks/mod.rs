//! Provider webhooks: Twilio's voice and SMS callbacks (signed form posts answered with TwiML),
//! Stripe and TipJar payments. One pattern for all: an extractor per provider verifies the
//! signature and parses the typed payload through the provider crate's seam (`TwilioForm<W>`,
//! `PaymentWebhook<P>`), so a handler only sees verified input. Failures answer a bare status:
//! the caller is a machine that reads only the code.

mod payment_form;
mod payments;
mod sms;
mod twilio_form;
mod voice;

pub use twilio_form::TwilioForm;

use crate::state::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
        .merge(voice::router())
        .merge(sms::router())
        .merge(payments::router())
}
