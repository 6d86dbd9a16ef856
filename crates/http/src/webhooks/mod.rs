//! Provider webhooks: Twilio's voice and SMS callbacks (signed form posts answered with TwiML),
//! Stripe and TipJar payments. Twilio's extractor `TwilioForm<W>` verifies the signature and
//! parses the typed payload through telephony's seam, so a handler only sees verified input. Failures answer a bare status:
//! the caller is a machine that reads only the code.

mod payments;
mod sms;
mod twilio_form;
mod voice;

pub use twilio_form::TwilioForm;

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
        .merge(voice::router())
        .merge(sms::router())
        .merge(payments::router())
}
