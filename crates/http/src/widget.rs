//! The phone widget: `GET /dni.js` (dynamic number insertion), with CORS for the public
//! endpoints the script calls from DJ Dash pages.

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
