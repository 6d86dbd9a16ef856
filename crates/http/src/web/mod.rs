//! The dashboards (SPEC §9): sign-in, the DJ dashboard, a call's page, the admin console and
//! live updates, as server-rendered pages (askama templates in `crates/http/templates`, CSS and
//! JS in `crates/http/assets/web`, served by the service itself).
//!
//! Pages authenticate with a session cookie (`session`), every form post carries the session's
//! CSRF token (`csrf`), and every failure renders an HTML page (`PageError`).

mod admin;
mod admin_experiments;
mod admin_forms;
mod admin_quality;
mod admin_webhooks;
mod assets;
mod call_edit;
mod call_insights;
mod call_page;
mod call_quality;
mod chart;
mod contacts;
mod csrf;
mod dashboard;
mod figures;
mod followup_form;
mod live;
mod login;
mod messages;
mod page_error;
mod reports_section;
mod rows;
mod session;
mod sign_in_link;

pub use page_error::PageError;
pub use session::{SESSION_COOKIE, WebSession};

use crate::state::HttpState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/", get(login::root))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/sign-in/{token}", get(sign_in_link::redeem))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/events", get(live::events))
        .route("/dashboard/calls/{id}", get(call_page::page))
        .route("/dashboard/calls/{id}/row", get(call_page::row))
        .route("/dashboard/calls/{id}/recording", get(call_page::recording))
        .route("/dashboard/calls/{id}/booked", post(call_page::mark_booked))
        .route("/dashboard/calls/{id}/edit", post(call_edit::save))
        .route("/dashboard/calls/{id}/messages", post(messages::reply))
        .route(
            "/dashboard/followup",
            get(followup_form::page).post(followup_form::save),
        )
        .route("/dashboard/contacts", get(contacts::list))
        .route("/dashboard/contacts/{id}", get(contacts::page))
        .route("/admin", get(admin::page))
        .route("/admin/events", get(live::admin_events))
        .route("/admin/webhooks", get(admin_webhooks::page))
        .route("/admin/experiments", get(admin_experiments::page))
        .route(
            "/admin/experiments/{id}/start",
            post(admin_experiments::start),
        )
        .route(
            "/admin/experiments/{id}/stop",
            post(admin_experiments::stop),
        )
        .route("/admin/numbers/buy", post(admin_forms::buy))
        .route("/admin/numbers/assign", post(admin_forms::assign))
        .route("/admin/numbers/release", post(admin_forms::release))
        .route("/admin/jobs/{id}/retry", post(admin_forms::retry))
        .route("/assets/web/{*path}", get(assets::asset))
}

/// What every signed-in page's header needs.
pub struct Nav {
    pub email: String,
    pub is_admin: bool,
    pub csrf: String,
}

impl Nav {
    pub fn of(session: &WebSession) -> Nav {
        Nav {
            email: session.email.clone(),
            is_admin: session.actor.is_platform(),
            csrf: session.csrf_token.clone(),
        }
    }
}
