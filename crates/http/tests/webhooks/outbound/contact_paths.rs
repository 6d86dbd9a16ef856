//! Contact events on the paths that used to raise them from a task after the commit (issue 14):
//! an incoming call from a new caller (on PostgreSQL the projection of `incoming`), an inbound
//! text, the follow-up text and a START each enqueue their `contact.created` /
//! `contact.updated` in the transaction of the change, so the job exists as soon as the
//! webhook has answered (or the follow-up job has run) — nothing is left to a task that a crash
//! could lose — and reaches the endpoint, signed.

use super::contacts::{count, queued_events};
use super::receiver::Receiver;
use super::texts::text_in;
use super::*;
use crate::followup::support::{CALLER, noon, scenario};

djcalls_testkit::on_both_backends! { TestApp:
    contact_events_of_calls_texts_and_opt_ins_are_queued_with_them => contact_paths;
}

/// The queued contact events that say `needle`.
async fn queued_with(t: &TestApp, kind: &str, needle: &str) -> usize {
    let queued = queued_events(t).await;
    queued
        .iter()
        .filter(|p| p.contains(&format!("\"{kind}\"")) && p.contains(needle))
        .count()
}

async fn contact_paths(t: TestApp) {
    t.clock.set(noon());
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let events = ["contact.created", "contact.updated"];
    let (_, secret) = endpoint(&t, &served, &receiver.url, &events).await;
    let (dj, number) = t
        .dj_with_number("dj-hooks-paths", "DJ Paths", "America/New_York")
        .await;

    // The first delivery of a call from a new caller: `incoming`, whose call on PostgreSQL is
    // projected right after the answer, in the statement that also queues the contact's event.
    let s = scenario(CallOutcome::Answered, &number, CALLER, 95);
    let deliveries = s.deliveries();
    let answers = deliver(&served.base_url, SIMULATOR_AUTH_TOKEN, &deliveries[..1])
        .await
        .unwrap();
    assert!((200..300).contains(&answers[0].1), "{answers:?}");
    served.app.project_pending().await.unwrap();
    assert_eq!(queued_with(&t, "contact.created", "\"call\"").await, 1);
    served.app.run_due_jobs().await;
    let created = receiver.wait_for(1).await[0].json();
    assert_eq!(created["type"], json!("contact.created"));
    let contacts = t
        .service_json(&format!("/api/djdash/contacts?dj_profile_id={dj}"))
        .await;
    assert_eq!(created["data"]["contact_id"], contacts["contacts"][0]["id"]);
    assert_eq!(created["data"]["dj_profile_id"], json!(dj.to_string()));
    assert!(created["id"].as_str().unwrap().starts_with("msg_"));
    let stamp: jiff::Timestamp = created["timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(stamp, noon());

    // The rest of the call, then its follow-up text: the text's contact event is queued with
    // the text's record, so it has been delivered once the job runner is drained.
    let answers = deliver(&served.base_url, SIMULATOR_AUTH_TOKEN, &deliveries[1..])
        .await
        .unwrap();
    assert!(answers.iter().all(|(_, c)| (200..300).contains(c)));
    served.app.run_due_jobs().await;
    let texts: Vec<Value> = receiver
        .received()
        .iter()
        .map(|r| r.json())
        .filter(|b| b["data"]["reason"] == json!("text"))
        .collect();
    assert_eq!(texts.len(), 1, "the follow-up text's contact.updated");
    assert_eq!(texts[0]["data"]["phone"], json!(CALLER));

    // A text from the caller, then STOP and START: each queued with its change.
    text_in(&t, &served, CALLER, &number, "Are you free on June 14?").await;
    assert_eq!(queued_with(&t, "contact.updated", "\"text\"").await, 1);
    text_in(&t, &served, CALLER, &number, "STOP").await;
    served.app.run_due_jobs().await;
    text_in(&t, &served, CALLER, &number, "START").await;
    assert_eq!(
        queued_with(&t, "contact.updated", "\"opted_out\":false").await,
        1
    );
    text_in(&t, &served, CALLER, &number, "START").await; // already in: nothing new
    served.app.run_due_jobs().await;
    let got = receiver.received();
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    let opted_in = got
        .iter()
        .filter(|r| r.json()["data"]["opted_out"] == json!(false))
        .count();
    assert_eq!(opted_in, 1, "one contact.updated for the opt-in");
    assert_eq!(count(&queued_events(&t).await, "contact.updated"), 0);
}
