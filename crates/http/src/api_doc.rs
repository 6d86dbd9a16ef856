//! The OpenAPI 3.1 document of the API (SPEC §14), generated from the handlers' `#[utoipa::path]`
//! annotations as `utoipa_axum::routes!` registers them (a route and its documentation are one
//! registration, so they cannot drift), served at `GET /api/openapi.json` and shown to people
//! at `GET /api/docs` (Swagger UI from vendored assets: no CDN).
//!
//! Tags group the operations; the `bearer` scheme is the API token or a dashboard session's;
//! the webhook schemes name the provider signature each webhook checks.

use crate::error::Envelope;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

/// Where the document and its viewer are served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";
pub const VIEWER_PATH: &str = "/api/docs";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "djcalls",
        description = "Call tracking and revenue capture for DJ Dash: virtual numbers, calls, \
                       analytics, payment follow-ups and the provider webhooks that feed them. \
                       The contract is SPEC.md; errors share one body (`ErrorBody`).",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    components(schemas(Envelope<'static>)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "calls", description = "Calls: log, list, read, correct, recordings"),
        (name = "contacts", description = "Callers as contacts of the DJs they called (SPEC §14)"),
        (name = "analytics", description = "Figures of SPEC §6"),
        (name = "reports", description = "Revenue by source, ad spend and the booking funnel (SPEC §15)"),
        (name = "profiles", description = "DJ profiles"),
        (name = "numbers", description = "Virtual numbers, the pool and the public DNI lookup"),
        (name = "clicks", description = "Widget clicks (public)"),
        (name = "admin", description = "Admin and service operations"),
        (name = "experiments", description = "A/B tests of the follow-up text (SPEC §13)"),
        (name = "webhooks", description = "Signed provider webhooks (Twilio forms, Stripe and TipJar JSON)"),
        (name = "webhook-endpoints", description = "Outbound webhooks: endpoints and their delivery log (SPEC §14)"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`djcalls token create`), the service key or an admin's.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::cookies::SESSION_COOKIE,
                "A dashboard session (after `/login`): accepted by the downloads the dashboards \
                 link to (the CSV exports).",
            ))),
        );
        for (name, header_name, what) in [
            (
                "twilio_signature",
                "X-Twilio-Signature",
                "Twilio's HMAC-SHA1 over the public URL and the sorted form pairs",
            ),
            (
                "stripe_signature",
                "Stripe-Signature",
                "Stripe's `t=…,v1=…` HMAC-SHA256 with the endpoint secret",
            ),
            (
                "tipjar_signature",
                "X-TipJar-Signature",
                "TipJar's HMAC-SHA256 of the body with the webhook secret",
            ),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    header_name,
                    what,
                ))),
            );
        }
    }
}

/// The error answers every authenticated JSON operation may give, in `ErrorBody`.
#[derive(IntoResponses)]
#[allow(dead_code)] // Documentation only: handlers answer through `ApiError`.
pub enum StandardErrors {
    /// Bad input: the body or a query parameter is malformed, `field` names it.
    #[response(status = 400)]
    BadRequest(#[to_schema] Envelope<'static>),
    /// No valid bearer token.
    #[response(status = 401)]
    Unauthenticated(#[to_schema] Envelope<'static>),
    /// The token does not give access to this.
    #[response(status = 403)]
    Forbidden(#[to_schema] Envelope<'static>),
    /// Nothing there (or not yours).
    #[response(status = 404)]
    NotFound(#[to_schema] Envelope<'static>),
    /// Too many requests; see `Retry-After`.
    #[response(status = 429)]
    TooMany(#[to_schema] Envelope<'static>),
    /// The database is unavailable; see `Retry-After`.
    #[response(status = 503)]
    Unavailable(#[to_schema] Envelope<'static>),
}

/// `GET /api/openapi.json` and `GET /api/docs` for a finished document.
pub fn routes<S: Clone + Send + Sync + 'static>(document: Document) -> Router<S> {
    let json: Arc<str> = document
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        .into();
    let swagger: Router<S> = utoipa_swagger_ui::SwaggerUi::new(VIEWER_PATH)
        .config(utoipa_swagger_ui::Config::from(DOCUMENT_PATH))
        .into();
    Router::new()
        .route(
            DOCUMENT_PATH,
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        json.to_string(),
                    )
                        .into_response()
                }
            }),
        )
        .merge(swagger)
}
