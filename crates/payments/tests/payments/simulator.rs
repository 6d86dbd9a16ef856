//! The simulator end to end: a session on our own page, then a completion webhook that passes the
//! real TipJar verification and parses into the payment the app records.

use std::sync::Arc;

use djcalls_domain::money::Cents;
use djcalls_payments::simulator::SIMULATED_WEBHOOK_PATH;
use djcalls_payments::tipjar::{
    TIPJAR_SIGNATURE_HEADER, parse_tipjar_event, verify_tipjar_signature,
};
use djcalls_payments::{
    DEFAULT_TOLERANCE_SECS, PaymentEvent, PaymentLinks, Provider, RefundAmount, SimulatedPayments,
    SimulatorError,
};
use secrecy::SecretString;

use crate::session_request;

const NOW: i64 = 1_780_000_000;

fn secret() -> SecretString {
    SecretString::from("tipjar_demo_secret")
}

fn simulator() -> SimulatedPayments {
    SimulatedPayments::new("http://127.0.0.1:3000/", secret())
}

async fn session_id(sim: &SimulatedPayments) -> String {
    let url = sim
        .create_session(&session_request())
        .await
        .unwrap_or_default();
    let prefix = "http://127.0.0.1:3000/pay/simulated/";
    assert!(url.starts_with(prefix), "{url}");
    url[prefix.len()..].to_owned()
}

#[tokio::test]
async fn a_simulated_session_is_a_page_of_ours_with_an_opaque_id() {
    let sim = simulator();
    let id = session_id(&sim).await;
    assert!(id.starts_with("sim_") && id.len() > 20, "{id}");
    assert!(!id.contains("c4ll_r3f_A1"));
    assert_eq!(sim.lookup(&id), Some(session_request()));
    assert_eq!(sim.lookup("sim_unknown"), None);
}

#[tokio::test]
async fn the_same_idempotency_key_gets_the_same_session_and_a_new_key_a_new_one() {
    let sim = simulator();
    let first = session_id(&sim).await;
    assert_eq!(session_id(&sim).await, first);
    let mut other = session_request();
    other.idempotency_key = "followup-8".into();
    let url = sim.create_session(&other).await.unwrap_or_default();
    assert!(!url.ends_with(&first));
}

#[tokio::test]
async fn completing_a_simulated_payment_goes_through_the_real_tipjar_checks() {
    let sim = simulator();
    let id = session_id(&sim).await;

    let webhook = sim.payment_succeeded_webhook(&id, Cents(5_000), NOW);
    let Ok(webhook) = webhook else {
        panic!("{webhook:?}")
    };
    assert_eq!(webhook.path, SIMULATED_WEBHOOK_PATH);
    assert_eq!(webhook.header_name, TIPJAR_SIGNATURE_HEADER);
    assert_eq!(
        verify_tipjar_signature(
            &secret(),
            &webhook.header_value,
            webhook.body.as_bytes(),
            NOW + 5,
            DEFAULT_TOLERANCE_SECS
        ),
        Ok(())
    );
    let event = parse_tipjar_event(webhook.body.as_bytes());
    assert!(
        matches!(
            &event,
            Ok(PaymentEvent::Paid { provider: Provider::TipJar, provider_payment_id, amount_cents: Cents(5_000), reference, currency, .. })
                if *provider_payment_id == SimulatedPayments::payment_id(&id)
                    && reference == "c4ll_r3f_A1"
                    && currency == "USD"
        ),
        "{event:?}"
    );

    // Completing twice repeats the same event and payment id: the ledger records one payment.
    let again = sim
        .payment_succeeded_webhook(&id, Cents(5_000), NOW + 60)
        .ok();
    let again = again.map(|w| parse_tipjar_event(w.body.as_bytes()));
    assert_eq!(
        again.and_then(Result::ok).map(|e| e.event_id().to_owned()),
        event.ok().map(|e| e.event_id().to_owned())
    );
}

#[tokio::test]
async fn a_simulated_webhook_signed_with_another_secret_is_rejected() {
    let sim = SimulatedPayments::new("http://127.0.0.1:3000", SecretString::from("wrong"));
    let url = sim
        .create_session(&session_request())
        .await
        .unwrap_or_default();
    let id = url.rsplit('/').next().unwrap_or_default().to_owned();
    let webhook = sim.payment_succeeded_webhook(&id, Cents(100), NOW).ok();
    let verdict = webhook.map(|w| {
        verify_tipjar_signature(
            &secret(),
            &w.header_value,
            w.body.as_bytes(),
            NOW,
            DEFAULT_TOLERANCE_SECS,
        )
    });
    assert!(matches!(verdict, Some(Err(_))));
}

#[tokio::test]
async fn each_simulated_refund_is_its_own_single_refund() {
    let sim = simulator();
    let id = session_id(&sim).await;
    let parse = |cents| {
        sim.payment_refunded_webhook(&id, Cents(cents), NOW)
            .ok()
            .and_then(|w| parse_tipjar_event(w.body.as_bytes()).ok())
    };
    let (first, second) = (parse(1_000), parse(1_000));
    let key = |e: &Option<PaymentEvent>| match e {
        Some(PaymentEvent::Refunded {
            refund_key,
            refunded,
            ..
        }) => {
            assert_eq!(
                *refunded,
                RefundAmount::Single {
                    amount_cents: Cents(1_000)
                }
            );
            refund_key.clone()
        }
        other => panic!("{other:?}"),
    };
    assert_ne!(key(&first), key(&second));
}

#[tokio::test]
async fn webhooks_for_unknown_sessions_or_non_positive_amounts_are_refused() {
    let sim = simulator();
    let id = session_id(&sim).await;
    assert_eq!(
        sim.payment_succeeded_webhook("sim_nope", Cents(100), NOW),
        Err(SimulatorError::UnknownSession)
    );
    assert_eq!(
        sim.payment_succeeded_webhook(&id, Cents(0), NOW),
        Err(SimulatorError::InvalidAmount)
    );
}

#[test]
fn every_provider_fits_behind_one_trait_object() {
    let providers: Vec<Arc<dyn PaymentLinks>> = vec![Arc::new(simulator())];
    assert_eq!(providers[0].name(), "simulator");
}
