//! Every webhook route the service has, with the scheme that signs it — checked against the
//! router's source, so a webhook route added without a line here fails the test.

use djcalls_http::webhooks::{STRIPE_WEBHOOK, TIPJAR_WEBHOOK};
use djcalls_telephony::paths;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    /// How the router's source names the path (the first argument of its `.route(…)`).
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

fn http_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first argument of every `.route(` call in `source`, as written.
fn routed_paths(source: &str) -> Vec<String> {
    source
        .match_indices(".route(")
        .map(|(i, m)| {
            let rest = &source[i + m.len()..];
            let end = rest.find(',').unwrap();
            rest[..end].trim().to_string()
        })
        .collect()
}

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
/// round: every route under `src/webhooks/`, every `.route(` anywhere naming a telephony path
/// or a webhook, and every telephony path constant must be listed.
pub fn check_every_webhook_route_is_listed() {
    let listed: BTreeSet<String> = ROUTES.iter().map(|r| r.source.to_string()).collect();
    let mut files = Vec::new();
    rust_files(&http_src(), &mut files);
    let webhooks_dir = http_src().join("webhooks");
    let mut in_webhooks = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for path in routed_paths(&source) {
            if file.starts_with(&webhooks_dir) {
                in_webhooks.insert(path);
            } else {
                let looks_like_a_webhook =
                    path.contains("paths::") || path.to_lowercase().contains("webhook");
                assert!(
                    !looks_like_a_webhook || listed.contains(&path),
                    "{} routes {path}, a webhook not listed in signatures_everywhere/routes.rs",
                    file.display()
                );
            }
        }
    }
    assert_eq!(
        in_webhooks, listed,
        "the webhook router's routes and the routes the bad-signature test covers differ: \
         list every webhook route in signatures_everywhere/routes.rs"
    );
    let constants = telephony_path_constants();
    assert!(constants.len() >= 10, "{constants:?}");
    for constant in constants {
        assert!(listed.contains(&constant), "{constant} is not covered");
    }
}
