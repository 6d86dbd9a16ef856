//! Every webhook route the service has, with the scheme that signs it — checked against the
//! OpenAPI document the router is built with, so a webhook route added without a line here
//! fails the test.

use djcalls_http::webhooks::{STRIPE_WEBHOOK, TIPJAR_WEBHOOK};
use djcalls_telephony::paths;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `X-Twilio-Signature` over the URL and the posted parameters.
    Twilio,
    /// `Stripe-Signature`: `t=…,v1=…` over the timestamp and the raw body.
    Stripe,
    /// `X-TipJar-Signature`, the same scheme under TipJar's header and secret.
    TipJar,
}

pub struct Route {
    /// How the code names the path (its constant).
    pub source: &'static str,
    pub path: &'static str,
    pub scheme: Scheme,
    /// Whether the genuine request writes something (the control that proves the refused
    /// ones would have written had they been accepted).
    pub writes: bool,
}

const fn route(source: &'static str, path: &'static str, scheme: Scheme, writes: bool) -> Route {
    Route {
        source,
        path,
        scheme,
        writes,
    }
}

/// In the order the genuine requests are sent (a call's deliveries in Twilio's order).
pub const ROUTES: &[Route] = &[
    route(
        "paths::CALL_INCOMING",
        paths::CALL_INCOMING,
        Scheme::Twilio,
        true,
    ),
    route("paths::WHISPER", paths::WHISPER, Scheme::Twilio, false),
    route(
        "paths::WHISPER_ANSWER",
        paths::WHISPER_ANSWER,
        Scheme::Twilio,
        false,
    ),
    route(
        "paths::CALL_TRANSCRIPTION",
        paths::CALL_TRANSCRIPTION,
        Scheme::Twilio,
        true,
    ),
    route(
        "paths::CALL_DIAL_STATUS",
        paths::CALL_DIAL_STATUS,
        Scheme::Twilio,
        true,
    ),
    route(
        "paths::CALL_RECORDING",
        paths::CALL_RECORDING,
        Scheme::Twilio,
        true,
    ),
    route(
        "paths::CALL_VOICEMAIL",
        paths::CALL_VOICEMAIL,
        Scheme::Twilio,
        true,
    ),
    route(
        "paths::VOICEMAIL_COMPLETE",
        paths::VOICEMAIL_COMPLETE,
        Scheme::Twilio,
        true,
    ),
    route(
        "paths::CALL_STATUS",
        paths::CALL_STATUS,
        Scheme::Twilio,
        true,
    ),
    route(
        "paths::SMS_INCOMING",
        paths::SMS_INCOMING,
        Scheme::Twilio,
        true,
    ),
    route("paths::SMS_STATUS", paths::SMS_STATUS, Scheme::Twilio, true),
    route("STRIPE_WEBHOOK", STRIPE_WEBHOOK, Scheme::Stripe, true),
    route("TIPJAR_WEBHOOK", TIPJAR_WEBHOOK, Scheme::TipJar, true),
];

/// The names of the `pub const NAME: &str` path constants of `djcalls_telephony::paths`.
fn telephony_path_constants() -> BTreeSet<String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../telephony/src/paths.rs");
    let source = std::fs::read_to_string(file).unwrap();
    source
        .lines()
        .filter_map(|l| l.strip_prefix("pub const "))
        .filter_map(|l| l.split_once(": &str"))
        .map(|(name, _)| format!("paths::{name}"))
        .collect()
}

/// Fails when the router has a webhook route that [`ROUTES`] does not list, or the other way
/// round. Webhook routes are registered with their OpenAPI operation
/// (`webhooks::documented::webhook`, tag `webhooks`), and the API tests check that no `/api/`
/// route escapes the document; so the document's webhook operations are the router's webhook
/// routes. Every telephony path constant must be listed as well.
pub fn check_every_webhook_route_is_listed() {
    let (_, document) =
        djcalls_http::documented_routes(&djcalls_http::origins::AllowedOrigins::parse(""));
    let mut documented = BTreeSet::new();
    for (path, item) in &document.paths.paths {
        let operations = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
        let is_webhook = operations.iter().any(|operation| {
            operation.as_ref().is_some_and(|operation| {
                operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| tags.iter().any(|tag| tag == "webhooks"))
            })
        });
        if is_webhook {
            documented.insert(path.clone());
        }
    }
    let listed: BTreeSet<String> = ROUTES.iter().map(|r| r.path.to_string()).collect();
    assert_eq!(
        documented, listed,
        "the router's webhook routes and the routes the bad-signature test covers differ: \
         list every webhook route in signatures_everywhere/routes.rs"
    );
    let constants = telephony_path_constants();
    assert!(constants.len() >= 10, "{constants:?}");
    let sources: BTreeSet<&str> = ROUTES.iter().map(|r| r.source).collect();
    for constant in constants {
        assert!(
            sources.contains(constant.as_str()),
            "{constant} is not covered"
        );
    }
}
