//! `/pay/<token>`: our short payment link; opening it creates the provider's session and
//! redirects there.

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
