//! Provider webhooks: Twilio's voice callbacks (signed form posts answered with TwiML). Failures
//! here answer a bare status: the caller is a machine that reads only the code.

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
