//! Twilio SMS webhooks: inbound messages (STOP/START/HELP) and message status callbacks.

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
