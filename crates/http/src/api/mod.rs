//! The JSON API of SPEC §3, one module per resource, each with its own `router()`.

pub mod admin;
pub mod analytics;
pub mod call_messages;
pub mod calls;
pub mod calls_export;
mod click_limiter;
pub mod clicks;
pub mod contacts;
pub mod contacts_export;
pub mod experiments;
pub mod followup_texts;
pub mod numbers;
pub mod profiles;
pub mod reports;
pub mod sign_in_links;
pub mod webhook_endpoints;

use crate::error::ApiError;
use crate::state::HttpState;
use axum::Router;
use serde::{Deserialize, Deserializer};
use utoipa_axum::router::OpenApiRouter;

/// The JSON API's routes, each registered with its OpenAPI operation (`crate::api_doc`).
pub fn routes(origins: &crate::origins::AllowedOrigins) -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .merge(profiles::router())
        .merge(followup_texts::router())
        .merge(experiments::router())
        .merge(admin::router())
        .merge(calls::router())
        .merge(call_messages::router())
        .merge(contacts::router())
        .merge(calls_export::router())
        .merge(contacts_export::router())
        .merge(clicks::router(origins.clone()))
        .merge(analytics::router())
        .merge(reports::router())
        .merge(numbers::router(origins))
        .merge(sign_in_links::router())
        .merge(webhook_endpoints::router())
}

/// The answers for addresses under `/api/` that no route matches, and for a method a route
/// does not accept: apply to a router holding every `/api/` route, after the last `merge`.
pub fn with_fallbacks(router: Router<HttpState>) -> Router<HttpState> {
    router
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This address does not accept that method.",
            )
        })
        .fallback(|| async { ApiError::not_found_route() })
}

/// For PATCH-style fields: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub(crate) fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Trims a free-text field, treats "" as absent, and bounds its length.
pub(crate) fn text(
    field: &'static str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, ApiError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(v) if v.chars().count() > max_chars => Err(ApiError::field(
            field,
            format!("must be at most {max_chars} characters"),
        )),
        // PostgreSQL text cannot hold NUL, and no person types control characters other
        // than line breaks and tabs.
        Some(v)
            if v.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
        {
            Err(ApiError::field(
                field,
                "must not contain control characters",
            ))
        }
        other => Ok(other),
    }
}

/// `product_context` may only ever be `djdash`.
pub(crate) fn check_product_context(value: Option<&str>) -> Result<(), ApiError> {
    match value {
        None => Ok(()),
        Some(v) if v == djcalls_domain::call::PRODUCT_CONTEXT => Ok(()),
        Some(_) => Err(ApiError::field("product_context", "must be djdash")),
    }
}
