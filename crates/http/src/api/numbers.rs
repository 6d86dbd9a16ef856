//! `/api/djdash/virtual-numbers`, the pool, and the public DNI lookup (SPEC §3, §5).

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
