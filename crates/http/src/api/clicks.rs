//! `POST /api/djdash/clicks` (public): click-to-call events from the widget.

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
