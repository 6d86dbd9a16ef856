//! `payment.received` and `payment.refunded`, raised in the ledger's transaction
//! (`payments/ledger_jobs.rs`): a TipJar payment and its refund reach the endpoint, signed,
//! once each, with the amounts in cents.

use super::receiver::Receiver;
use super::*;
use djcalls_app::payments::sign_tipjar_payload;
use djcalls_app::records::DbTime;
use djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET;
use djcalls_domain::{CallId, DjProfileId};
use secrecy::SecretString;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { TestApp:
    a_payment_and_its_refund_reach_the_endpoint_once_each => payment_events;
}

/// A DJ's logged call with a payment link; returns (call, link reference).
pub(super) async fn booked_call(t: &TestApp) -> (CallId, String) {
    let dj = DjProfileId(Uuid::new_v4());
    t.profile(dj, "dj-hooks-paid").await;
    let body: Value = t
        .client
        .post(t.url("/api/djdash/calls"))
        .bearer_auth(t.service_key())
        .json(
            &json!({"dj_profile_id": dj.to_string(), "caller_number": "+14155550123",
                      "call_duration_seconds": 120, "call_status": "completed"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call = CallId(body["call"]["id"].as_str().unwrap().parse().unwrap());
    let reference = format!("ref_{}", Uuid::new_v4().simple());
    let token = format!("t{}", Uuid::new_v4().simple());
    t.db.store
        .ensure_payment_link(call, dj, &token, &reference, DbTime(t.app.now().0))
        .await
        .unwrap();
    (call, reference)
}

pub(super) async fn tipjar(t: &TestApp, body: Value) {
    let body = body.to_string();
    let secret = SecretString::from(SIMULATOR_WEBHOOK_SECRET.to_string());
    let signature = sign_tipjar_payload(&secret, t.app.now().0.as_second(), body.as_bytes());
    let response = t
        .client
        .post(t.url("/api/tipjar/webhook"))
        .header("content-type", "application/json")
        .header("X-TipJar-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

async fn payment_events(t: TestApp) {
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let events = ["payment.received", "payment.refunded"];
    let (_, secret) = endpoint(&t, &served, &receiver.url, &events).await;
    let (call, reference) = booked_call(&t).await;
    let paid = json!({"id": "evt_hook_1", "type": "payment.succeeded",
        "data": {"payment_id": "pay_hook_1", "amount_cents": 5_000, "currency": "usd",
                 "reference": reference}});
    tipjar(&t, paid.clone()).await;
    tipjar(&t, paid).await; // a duplicate delivery records nothing, raises nothing
    tipjar(
        &t,
        json!({"id": "evt_hook_2", "type": "payment.refunded",
            "data": {"payment_id": "pay_hook_1", "amount_cents": 1_500, "currency": "usd",
                     "reference": reference}}),
    )
    .await;
    served.app.run_due_jobs().await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got.len(), 2, "one event per ledger row");
    let bodies: Vec<Value> = got.iter().map(|r| r.json()).collect();
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    let received = bodies
        .iter()
        .find(|b| b["type"] == "payment.received")
        .unwrap();
    assert_eq!(received["data"]["amount_cents"], json!(5_000));
    assert_eq!(received["data"]["call_id"], json!(call.to_string()));
    assert_eq!(received["data"]["provider_payment_id"], json!("pay_hook_1"));
    let refunded = bodies
        .iter()
        .find(|b| b["type"] == "payment.refunded")
        .unwrap();
    assert_eq!(refunded["data"]["amount_cents"], json!(-1_500));
}
