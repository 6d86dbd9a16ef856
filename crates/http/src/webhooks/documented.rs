//! Webhook routes registered together with their OpenAPI operation. Their handlers are generic
//! over the provider's payload (`TwilioForm<W>`, `PaymentWebhook<P>`), which `#[utoipa::path]`
//! cannot describe, so each registration states what the document says of it: the provider's
//! signature scheme, the body's media type and the answers.

use crate::state::HttpState;
use axum::routing::MethodRouter;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, ResponseBuilder, ResponsesBuilder, Type};
use utoipa_axum::router::OpenApiRouter;

/// Who signs a webhook, and so what its body and answers are.
#[derive(Clone, Copy)]
pub enum Signer {
    /// A form post signed with `X-Twilio-Signature`, answered with TwiML or 204.
    Twilio,
    /// A JSON event signed with `Stripe-Signature`.
    Stripe,
    /// A JSON event signed with `X-TipJar-Signature`.
    TipJar,
}

/// Adds `POST path` to `router` and to its document.
pub fn webhook(
    router: OpenApiRouter<HttpState>,
    path: &str,
    summary: &str,
    signer: Signer,
    route: MethodRouter<HttpState>,
) -> OpenApiRouter<HttpState> {
    let mut router = router.route(path, route);
    let (scheme, media_type, body, answers): (_, _, _, &[(&str, &str)]) = match signer {
        Signer::Twilio => (
            "twilio_signature",
            "application/x-www-form-urlencoded",
            "Twilio's webhook parameters (CallSid, AccountSid, From, To, …).",
            &[
                ("200", "TwiML (text/xml) for Twilio to follow"),
                ("204", "Recorded; nothing for Twilio to do"),
                ("400", "Signed, but not a well-formed webhook"),
                ("403", "The signature does not match: nothing is written"),
                (
                    "503",
                    "The database is away and the delivery could not be kept",
                ),
            ],
        ),
        Signer::Stripe | Signer::TipJar => (
            if matches!(signer, Signer::Stripe) {
                "stripe_signature"
            } else {
                "tipjar_signature"
            },
            "application/json",
            "The provider's event, verified over its exact bytes.",
            &[
                ("200", "Recorded, already recorded, or not ours to act on"),
                (
                    "400",
                    "Not verifiably from the provider, or unreadable: nothing is written",
                ),
                ("500", "We failed; the provider retries"),
            ],
        ),
    };
    let mut responses = ResponsesBuilder::new();
    for (status, description) in answers {
        responses = responses.response(*status, ResponseBuilder::new().description(*description));
    }
    let operation = OperationBuilder::new()
        .summary(Some(summary))
        .tag("webhooks")
        .security(SecurityRequirement::new(scheme, Vec::<String>::new()))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(utoipa::openapi::Required::True))
                .description(Some(body))
                .content(
                    media_type,
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::Object)))
                        .build(),
                )
                .build(),
        ))
        .responses(responses.build())
        .build();
    router
        .get_openapi_mut()
        .paths
        .add_path_operation(path, vec![HttpMethod::Post], operation);
    router
}
