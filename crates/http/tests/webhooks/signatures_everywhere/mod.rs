//! Bad signatures on every webhook path make zero writes (issue 10's abuse suite). Each route
//! of the webhook router (`routes.rs`, checked against the router's source) gets a genuine
//! request's body with no signature, a wrong one, or one genuine for another URL, body or
//! time (`forgeries.rs`): every answer is a 4xx, and every row of every table is the same
//! afterwards. Then the genuine requests themselves are accepted and write, which shows that
//! the refused ones were refused for their signatures alone.

mod forgeries;
mod routes;

use super::payments::support::{STRIPE_SECRET, booking, now};
use super::voice::support::{CALLER, scenario};
use djcalls_app::settings::{SIMULATOR_AUTH_TOKEN, SIMULATOR_WEBHOOK_SECRET};
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, compute_signature, paths};
use djcalls_testkit::{Contents, TestApp, changed_tables};
use forgeries::{Body, Forgery};
use routes::{ROUTES, Route, Scheme};
use secrecy::SecretString;
use serde_json::json;

#[test]
fn every_webhook_route_of_the_router_is_covered() {
    routes::check_every_webhook_route_is_listed();
}

djcalls_testkit::on_both_backends! { TestApp:
    bad_signatures_on_every_webhook_path_are_refused_and_write_nothing => bad_signatures;
}

fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A genuine request for each route, in `ROUTES`' order.
fn genuine_bodies(number: &PhoneNumber, stripe_ref: &str, tipjar_ref: &str) -> Vec<Body> {
    let deliveries = scenario(CallOutcome::Voicemail, number).deliveries();
    let delivery = |path: &str| {
        deliveries
            .iter()
            .find(|d| d.path == path)
            .unwrap_or_else(|| panic!("the scenario has no {path}"))
            .params
            .clone()
    };
    let incoming = delivery(paths::CALL_INCOMING);
    let mut digits = incoming.clone();
    digits.push(("Digits".into(), "1".into()));
    // The `<Record action>` post: the dial action's parameters and the voicemail's recording.
    let mut recorded = delivery(paths::CALL_DIAL_STATUS);
    recorded.extend(
        delivery(paths::CALL_RECORDING)
            .into_iter()
            .filter(|(k, _)| {
                ["RecordingSid", "RecordingUrl", "RecordingDuration"].contains(&k.as_str())
            }),
    );
    // A segment of an answered call's conversation (kept even before its call is known).
    let mut answered = scenario(CallOutcome::Answered, number);
    answered.conversation = djcalls_telephony::simulate_transcription::parse_conversation(
        "caller: We are planning a wedding.",
    )
    .unwrap();
    let segment = answered
        .deliveries()
        .into_iter()
        .find(|d| d.params.iter().any(|(k, _)| k == "TranscriptionData"))
        .unwrap()
        .params;
    let sms_sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    ROUTES
        .iter()
        .map(|route| match route.path {
            paths::WHISPER => Body::Form(incoming.clone()),
            paths::WHISPER_ANSWER => Body::Form(digits.clone()),
            paths::VOICEMAIL_COMPLETE => Body::Form(recorded.clone()),
            paths::CALL_TRANSCRIPTION => Body::Form(segment.clone()),
            paths::SMS_INCOMING => Body::Form(pairs(&[
                ("MessageSid", &sms_sid),
                ("SmsSid", &sms_sid),
                ("AccountSid", "AC00000000000000000000000000000000"),
                ("From", CALLER),
                ("To", number.as_str()),
                ("Body", "STOP"),
                ("NumMedia", "0"),
            ])),
            paths::SMS_STATUS => Body::Form(pairs(&[
                (
                    "MessageSid",
                    &format!("SM{}", uuid::Uuid::new_v4().simple()),
                ),
                ("MessageStatus", "undelivered"),
                ("ErrorCode", "21610"),
                ("To", "+14155550999"),
            ])),
            _ if route.scheme == Scheme::Stripe => Body::Json(
                json!({
                    "id": "evt_forged_stripe", "object": "event",
                    "type": "checkout.session.completed",
                    "data": {"object": {
                        "id": "cs_forged", "object": "checkout.session", "payment_status": "paid",
                        "payment_intent": "pi_forged", "amount_total": 12_345, "currency": "usd",
                        "client_reference_id": stripe_ref,
                    }}
                })
                .to_string(),
            ),
            _ if route.scheme == Scheme::TipJar => Body::Json(
                json!({
                    "id": "evt_forged_tipjar", "type": "payment.succeeded",
                    "data": {"payment_id": "pay_forged", "amount_cents": 4_321,
                             "currency": "usd", "reference": tipjar_ref}
                })
                .to_string(),
            ),
            path => Body::Form(delivery(path)),
        })
        .collect()
}

fn header(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Twilio => "X-Twilio-Signature",
        Scheme::Stripe => "Stripe-Signature",
        Scheme::TipJar => "X-TipJar-Signature",
    }
}

/// The genuine signature of `body` for `route` at `base_url`, now.
fn sign(t: &TestApp, base_url: &str, route: &Route, body: &Body) -> String {
    let secret = |s: &str| SecretString::from(s.to_string());
    match body {
        Body::Form(params) => compute_signature(
            SIMULATOR_AUTH_TOKEN,
            &format!("{base_url}{}", route.path),
            params,
        ),
        Body::Json(json) if route.scheme == Scheme::Stripe => {
            djcalls_app::payments::sign_stripe_payload(
                &secret(STRIPE_SECRET),
                now(t),
                json.as_bytes(),
            )
        }
        Body::Json(json) => djcalls_app::payments::sign_tipjar_payload(
            &secret(SIMULATOR_WEBHOOK_SECRET),
            now(t),
            json.as_bytes(),
        ),
    }
}

async fn send(client: &reqwest::Client, base_url: &str, route: &Route, f: &Forgery) -> u16 {
    let url = format!("{base_url}{}{}", route.path, f.query);
    let mut request = client.post(url);
    request = match &f.body {
        Body::Form(params) => request.form(params),
        Body::Json(json) => request
            .header("content-type", "application/json")
            .body(json.clone()),
    };
    if let Some(signature) = &f.signature {
        request = request.header(header(route.scheme), signature);
    }
    request.send().await.unwrap().status().as_u16()
}

fn assert_unchanged(before: &Contents, after: &Contents) {
    let changed = changed_tables(before, after);
    for table in &changed {
        eprintln!(
            "{table}: before {:?}\nafter {:?}",
            before.get(table),
            after.get(table)
        );
    }
    assert!(changed.is_empty(), "refused webhooks wrote to {changed:?}");
}

async fn bad_signatures(t: TestApp) {
    // Served beside the first app on the same database, with a Stripe secret as well.
    let b = TestApp::builder()
        .settings(|s| s.stripe_webhook_secret = Some(SecretString::from(STRIPE_SECRET.to_string())))
        .serve_beside(&t)
        .await;
    let (_, number) = t
        .dj_with_number("dj-forged", "DJ Forged", "America/New_York")
        .await;
    let stripe = booking(&t, &b.base_url, "DJ Stripe").await;
    let tipjar = booking(&t, &b.base_url, "DJ TipJar").await;
    let bodies = genuine_bodies(&number, &stripe.reference, &tipjar.reference);
    let client = reqwest::Client::new();

    let before = t.db.contents().await;
    assert!(before.len() >= 20, "every table: {:?}", before.keys());
    for (route, body) in ROUTES.iter().zip(&bodies) {
        let forged = match (route.scheme, body) {
            (Scheme::Twilio, Body::Form(params)) => {
                forgeries::twilio(&b.base_url, route.path, params)
            }
            (Scheme::Stripe, Body::Json(json)) => {
                forgeries::payment(route.scheme, STRIPE_SECRET, now(&t), json)
            }
            (Scheme::TipJar, Body::Json(json)) => {
                forgeries::payment(route.scheme, SIMULATOR_WEBHOOK_SECRET, now(&t), json)
            }
            _ => unreachable!("{} has a body of another scheme", route.path),
        };
        assert!(forged.len() >= 8);
        for f in &forged {
            let status = send(&client, &b.base_url, route, f).await;
            assert!(
                (400..500).contains(&status),
                "{} with {}: {status}",
                route.path,
                f.case
            );
        }
    }
    assert_unchanged(&before, &t.db.contents().await);

    // The control: the same bodies, genuinely signed, are accepted, and those that write do.
    for (route, body) in ROUTES.iter().zip(bodies) {
        let before = t.db.contents().await;
        let genuine = Forgery {
            case: "genuine".into(),
            query: "",
            signature: Some(sign(&t, &b.base_url, route, &body)),
            body,
        };
        let status = send(&client, &b.base_url, route, &genuine).await;
        assert!((200..300).contains(&status), "{}: {status}", route.path);
        // `incoming`'s call on PostgreSQL follows its answer: here, not in the next route's.
        b.app.project_pending().await.unwrap();
        let wrote = !changed_tables(&before, &t.db.contents().await).is_empty();
        assert_eq!(wrote, route.writes, "{} wrote: {wrote}", route.path);
    }
}
