//! The events texts raise (SPEC §14), end to end: the follow-up text after a call raises
//! `followup.sent` (with the text's record) and a STOP raises `lead.opted_out` (with the
//! opt-out, with the contact's `contact.updated`), each delivered once to the endpoint, signed.

use super::receiver::Receiver;
use super::*;
use crate::followup::support::{CALLER, message_sid, noon, scenario};
use djcalls_telephony::{SIGNATURE_HEADER, compute_signature};

djcalls_testkit::on_both_backends! { TestApp:
    a_followup_text_and_a_stop_reach_the_endpoint_once_each => followup_and_stop;
}

/// A signed inbound text to `served` from `from` to `to`.
pub(super) async fn text_in(
    t: &TestApp,
    served: &ServedApp,
    from: &str,
    to: &PhoneNumber,
    body: &str,
) {
    let url = format!("{}/api/djdash/sms/incoming", served.base_url);
    let sid = message_sid();
    let params: Vec<(String, String)> = [
        ("MessageSid", sid.as_str()),
        ("SmsSid", sid.as_str()),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", from),
        ("To", to.as_str()),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let signature = compute_signature(SIMULATOR_AUTH_TOKEN, &url, &params);
    let response = t
        .client
        .post(&url)
        .header(SIGNATURE_HEADER, signature)
        .form(&params)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

async fn followup_and_stop(t: TestApp) {
    t.clock.set(noon());
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let events = ["followup.sent", "lead.opted_out"];
    let (_, secret) = endpoint(&t, &served, &receiver.url, &events).await;
    let (dj, number) = t
        .dj_with_number("dj-hooks-texts", "DJ Texts", "America/New_York")
        .await;
    let s = scenario(CallOutcome::Answered, &number, CALLER, 95);
    let answers = deliver(&served.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, c)| (200..300).contains(c)),
        "{answers:?}"
    );
    served.app.run_due_jobs().await; // the follow-up text, then its event
    let got = receiver.wait_for(1).await;
    let sent = got[0].json();
    assert_eq!(sent["type"], json!("followup.sent"));
    let call = &t.calls_of(dj).await[0];
    assert_eq!(sent["data"]["call_id"], call["id"]);
    assert_eq!(sent["data"]["caller_number"], json!(CALLER));
    assert!(
        sent["data"]["message_sid"]
            .as_str()
            .unwrap()
            .starts_with("SM")
    );

    text_in(&t, &served, CALLER, &number, "STOP").await;
    text_in(&t, &served, CALLER, &number, "STOP").await; // already opted out: nothing new
    // The opt-out's contact event was queued with it (the endpoint does not take that type).
    let queued = super::contacts::queued_events(&t).await;
    let opt_out_updates = queued
        .iter()
        .filter(|p| p.contains("\"contact.updated\"") && p.contains("\"opt_out\""))
        .count();
    assert_eq!(opt_out_updates, 1, "{queued:?}");
    served.app.run_due_jobs().await;
    let got = receiver.wait_for(2).await;
    served.app.run_due_jobs().await;
    assert_eq!(receiver.received().len(), 2, "one event each");
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    let stop = got[1].json();
    assert_eq!(stop["type"], json!("lead.opted_out"));
    assert_eq!(stop["data"]["phone_number"], json!(CALLER));
    assert_eq!(stop["data"]["source"], json!("keyword"));
}
