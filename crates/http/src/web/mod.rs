//! The dashboards (SPEC §9): sign-in, the DJ dashboard, a call's page, the admin console and
//! live updates, as server-rendered pages.

use crate::HttpState;
use axum::Router;

pub fn router() -> Router<HttpState> {
    Router::new()
}
