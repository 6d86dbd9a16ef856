//! Which variant a call's thank-you text gets while an experiment runs: the one
//! `domain::experiment::assign_variant` gives for the experiment and the call, recorded with
//! the follow-up's claim and the same on every retry of the job; the split honoured over many
//! calls; the variant's text in the call's language, else its English one.

use super::support::*;
use crate::followup::languages::{SPANISH, send as deliver_all, with_transcript};
use crate::followup::support::*;
use djcalls_domain::experiment::assign_variant;
use djcalls_domain::{CallId, ExperimentId};
use djcalls_telephony::{CallOutcome, TwilioError};
use djcalls_testkit::TestApp;
use jiff::SignedDuration;
use std::collections::HashMap;

djcalls_testkit::on_both_backends! { TestApp:
    a_call_keeps_its_variant_across_retries_of_the_job => same_variant_on_retry;
    the_split_is_honoured_over_many_calls => split_over_many_calls;
    the_variant_text_goes_in_the_callers_language_else_english => variant_language;
}

fn ids(experiment: &str, call: &serde_json::Value) -> (ExperimentId, CallId) {
    (
        ExperimentId(experiment.parse().unwrap()),
        CallId(call["id"].as_str().unwrap().parse().unwrap()),
    )
}

/// The tag (`A`, `B`, `A-es`) a variant text starts with.
fn tag(body: &str) -> &str {
    body.split(':').next().unwrap()
}

const TAGS: [&str; 2] = ["A", "B"];

async fn same_variant_on_retry(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let id = running(&app, &two_variants("Retry", [50, 50])).await;
    app.telephony.fail_next_sends([TwilioError::Server {
        status: 500,
        code: None,
    }]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty(), "Twilio said 500");
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let (experiment_id, call_id) = ids(&id, &record);
    let expected = assign_variant(experiment_id, call_id, &[50, 50]);
    let position = i32::try_from(expected).unwrap();
    let recorded = app.db.store.followup_variant(call_id).await.unwrap();
    assert_eq!(recorded, Some((experiment_id, position)), "claimed with it");

    advance(&app, SignedDuration::from_mins(1));
    assert_eq!(app.app.run_due_jobs().await, 1, "the retry sends");
    let sent = app.telephony.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(tag(&sent[0].body), TAGS[expected], "{}", sent[0].body);
    assert!(sent[0].body.contains("DJ Sparkle") && sent[0].body.contains("/pay/"));
    assert!(sent[0].body.ends_with(" Reply STOP to opt out."));
    let recorded = app.db.store.followup_variant(call_id).await.unwrap();
    assert_eq!(
        recorded,
        Some((experiment_id, position)),
        "the same variant"
    );
    advance(&app, SignedDuration::from_hours(1));
    app.app.run_due_jobs().await;
    assert_eq!(
        app.telephony.sent_messages().len(),
        1,
        "never a second text"
    );

    let e = experiment(&app, &id).await;
    let sent_by_variant: Vec<_> = e["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sent"].as_i64().unwrap())
        .collect();
    let mut expected_sent = vec![0, 0];
    expected_sent[expected] = 1;
    assert_eq!(sent_by_variant, expected_sent, "{e}");
}

async fn split_over_many_calls(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let id = running(&app, &two_variants("Split", [70, 30])).await;
    let n = 100;
    for i in 0..n {
        let caller = format!("+141555502{i:02}");
        call(&app, CallOutcome::Answered, &number, &caller, 95).await;
    }
    assert_eq!(app.app.run_due_jobs().await, n);
    let sent: HashMap<String, String> = app
        .telephony
        .sent_messages()
        .into_iter()
        .map(|m| (m.to.as_str().to_string(), m.body))
        .collect();
    assert_eq!(sent.len(), n);
    let mut predicted = [0i64; 2];
    for record in app.calls_of(dj).await {
        let (experiment, call_id) = ids(&id, &record);
        let expected = assign_variant(experiment, call_id, &[70, 30]);
        predicted[expected] += 1;
        let body = &sent[record["caller_number"].as_str().unwrap()];
        assert_eq!(tag(body), TAGS[expected], "{body}");
    }
    let e = experiment(&app, &id).await;
    let counted = [0, 1].map(|i| e["variants"][i]["sent"].as_i64().unwrap());
    assert_eq!(counted, predicted, "{e}");
    // 70 % of 100 has a standard deviation of 4.6 calls: within 4 of them.
    assert!((52..=88).contains(&counted[0]), "{counted:?}");
}

async fn variant_language(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let id = running(&app, &two_variants("Language", [50, 50])).await;
    let mut spanish = Vec::new();
    for i in 0..8 {
        let caller = format!("+141555503{i:02}");
        let s = scenario(CallOutcome::Answered, &number, &caller, 95);
        if i % 2 == 0 {
            deliver_all(&app.base_url, &with_transcript(&s, SPANISH)).await;
            spanish.push(caller);
        } else {
            deliver_call_to(&app.base_url, &s).await;
        }
    }
    assert_eq!(app.app.run_due_jobs().await, 8);
    let sent = app.telephony.sent_messages();
    for record in app.calls_of(dj).await {
        let caller = record["caller_number"].as_str().unwrap();
        let body = &sent.iter().find(|m| m.to.as_str() == caller).unwrap().body;
        let (experiment, call_id) = ids(&id, &record);
        let variant = assign_variant(experiment, call_id, &[50, 50]);
        let in_spanish = spanish.iter().any(|c| c == caller);
        // Only A has a Spanish text; B's Spanish callers get its English one.
        let (expected_tag, opt_out) = match (variant, in_spanish) {
            (0, true) => ("A-es", " Responde STOP para no recibir mensajes."),
            (v, _) => (TAGS[v], " Reply STOP to opt out."),
        };
        assert_eq!(tag(body), expected_tag, "{body}");
        assert!(body.ends_with(opt_out), "{body}");
    }
}
