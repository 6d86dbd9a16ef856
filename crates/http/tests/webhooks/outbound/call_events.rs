//! The call events of a voicemail (SPEC §14): `call.missed`, `voicemail.received` and
//! `insights.ready` (enqueued in the transaction that stored the transcript's insights) reach
//! the endpoint signed, once each, however often Twilio repeats its deliveries.

use super::receiver::{Received, Receiver};
use super::*;
use crate::followup::support::deliver_call_to;

djcalls_testkit::on_both_backends! { TestApp:
    a_voicemail_raises_missed_voicemail_and_insights_events_once_each => voicemail_events;
}

const SAID: &str = "Hi, this is Rachel, we're planning a wedding on June 14th, about 150 guests.";

/// The one request of `kind` among `got`.
fn one_of<'a>(got: &'a [Received], kind: &str) -> &'a Received {
    let found: Vec<&Received> = got.iter().filter(|r| r.json()["type"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind}: {got:?}");
    found[0]
}

async fn voicemail_events(t: TestApp) {
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let events = ["call.missed", "voicemail.received", "insights.ready"];
    let (_, secret) = endpoint(&t, &served, &receiver.url, &events).await;
    let (dj, number) = t
        .dj_with_number("dj-hooks-voicemail", "DJ Hooks", "America/New_York")
        .await;
    let mut scenario = CallScenario::new(
        CallOutcome::Voicemail,
        PhoneNumber::parse("+14155550123").unwrap(),
        number,
    );
    scenario.transcript = SAID.to_string();
    for _ in 0..2 {
        // Twilio repeats deliveries (here with fresh recording and transcription SIDs): the
        // second round raises nothing new.
        deliver_call_to(&served.base_url, &scenario).await;
    }
    served.app.run_due_jobs().await;
    let got = receiver.wait_for(3).await;
    served.app.run_due_jobs().await;
    let got_after = receiver.received();
    assert_eq!(got_after.len(), 3, "one event of each type: {got_after:?}");
    assert!(got.iter().all(|r| r.verifies_with(&secret)));

    let call_id = t.calls_of(dj).await[0]["id"].clone();
    let missed = one_of(&got, "call.missed").json();
    assert_eq!(missed["data"]["call_id"], call_id);
    assert_eq!(missed["data"]["answered"], json!(false));
    let voicemail = one_of(&got, "voicemail.received").json();
    assert_eq!(voicemail["data"]["call_id"], call_id);
    assert_eq!(voicemail["data"]["voicemail_left"], json!(true));
    let insights = one_of(&got, "insights.ready").json();
    let data = &insights["data"];
    assert_eq!(data["call_id"], call_id);
    assert_eq!(data["dj_profile_id"], json!(dj.to_string()));
    assert_eq!(data["lead_score"], json!("hot"));
    assert_eq!(data["event_type"], json!("wedding"));
    assert_eq!(data["insights"]["guest_count"], json!(150));
    assert_eq!(data["insights"]["event_date"], json!("2027-06-14"));
}
