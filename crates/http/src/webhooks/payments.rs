//! Payment webhooks: Stripe (`Stripe-Signature`) and TipJar (`X-TipJar-Signature`).

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
