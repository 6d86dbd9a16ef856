//! Contact events (SPEC §14) are enqueued in the transaction that touches the contact: the
//! event's job exists as soon as the request that caused it has answered (no task after the
//! commit to wait for, or to lose in a crash), and reaches the endpoint signed —
//! `contact.created` for a caller's first call, `contact.updated` for the next. With no
//! endpoint enabled nothing is queued.

use super::receiver::Receiver;
use super::*;
use djcalls_domain::{Actor, DjProfileId, Role};
use djcalls_store::webhooks::EVENT_JOB_KIND;

djcalls_testkit::on_both_backends! { TestApp:
    contact_events_are_queued_with_the_call_and_reach_the_endpoint => contact_events;
    a_payments_contact_event_is_queued_with_its_ledger_row => payment_contact_event;
}

/// The event types of the queued webhook event jobs.
pub(super) async fn queued_events(t: &TestApp) -> Vec<String> {
    let jobs = t.db.store.pending_jobs(&Actor::System, 100).await.unwrap();
    jobs.iter()
        .filter(|j| j.kind == EVENT_JOB_KIND)
        .map(|j| {
            let payload: Value = serde_json::from_str(&j.payload).unwrap();
            payload.to_string()
        })
        .collect()
}

pub(super) fn count(queued: &[String], kind: &str) -> usize {
    queued
        .iter()
        .filter(|p| p.contains(&format!("\"{kind}\"")))
        .count()
}

/// Logs a completed call from `caller` as the DJ.
async fn log_call(t: &TestApp, token: &str, dj: DjProfileId, caller: &str) {
    let response = t
        .client
        .post(t.url("/api/djdash/calls"))
        .bearer_auth(token)
        .json(
            &json!({"dj_profile_id": dj.to_string(), "caller_number": caller,
                      "call_duration_seconds": 30, "call_status": "completed"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

async fn contact_events(t: TestApp) {
    let dj = DjProfileId(uuid::Uuid::new_v4());
    t.profile(dj, "dj-hooks-contacts").await;
    let token = t.user_token("contacts@example.com", Role::Dj, &[dj]).await;

    // No endpoint: nothing is queued for webhooks.
    log_call(&t, &token, dj, "+14155550100").await;
    assert!(queued_events(&t).await.is_empty());

    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let events = ["contact.created", "contact.updated"];
    let (_, secret) = endpoint(&t, &served, &receiver.url, &events).await;
    log_call(&t, &token, dj, "+14155550123").await;
    let queued = queued_events(&t).await;
    assert_eq!(count(&queued, "contact.created"), 1, "{queued:?}");
    log_call(&t, &token, dj, "+14155550123").await;
    let queued = queued_events(&t).await;
    assert_eq!(count(&queued, "contact.updated"), 1, "{queued:?}");

    served.app.run_due_jobs().await;
    let got = receiver.wait_for(2).await;
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    let bodies: Vec<Value> = got.iter().map(|r| r.json()).collect();
    let contact = t
        .service_json(&format!("/api/djdash/contacts?dj_profile_id={dj}"))
        .await;
    let id = contact["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["phone"] == "+14155550123")
        .unwrap()["id"]
        .clone();
    let mut types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(types, ["contact.created", "contact.updated"]);
    assert!(
        bodies.iter().all(|b| b["data"]["contact_id"] == id),
        "{bodies:?}"
    );
}

async fn payment_contact_event(t: TestApp) {
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let (_, secret) = endpoint(&t, &served, &receiver.url, &["contact.updated"]).await;
    let (call, reference) = super::payments::booked_call(&t).await;
    let paid = json!({"id": "evt_contact_1", "type": "payment.succeeded",
        "data": {"payment_id": "pay_contact_1", "amount_cents": 2_500, "currency": "usd",
                 "reference": reference}});
    super::payments::tipjar(&t, paid.clone()).await;
    super::payments::tipjar(&t, paid).await; // a duplicate records nothing, raises nothing
    let queued = queued_events(&t).await;
    let payment_events = queued
        .iter()
        .filter(|p| p.contains("\"contact.updated\"") && p.contains("\"payment\""))
        .count();
    assert_eq!(payment_events, 1, "{queued:?}");

    served.app.run_due_jobs().await;
    let got = receiver.wait_for(1).await;
    served.app.run_due_jobs().await;
    assert_eq!(receiver.received().len(), 1);
    assert!(got[0].verifies_with(&secret));
    let body = got[0].json();
    assert_eq!(body["type"], json!("contact.updated"));
    assert_eq!(body["data"]["reason"], json!("payment"));
    assert_eq!(body["data"]["call_id"], json!(call.to_string()));
}
