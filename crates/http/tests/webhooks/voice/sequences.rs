//! Webhook sequences per outcome, duplicated, shuffled and concurrent, end in one right row.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::{CallOutcome, WebhookDelivery, deliver};
use djcalls_testkit::TestApp;

/// Deterministic reorderings: as sent, reversed, every rotation, and an interleaving.
fn orderings(deliveries: &[WebhookDelivery]) -> Vec<Vec<WebhookDelivery>> {
    let n = deliveries.len();
    let mut out = vec![
        deliveries.to_vec(),
        deliveries.iter().rev().cloned().collect(),
    ];
    for r in 1..n {
        let mut rotated = deliveries.to_vec();
        rotated.rotate_left(r);
        out.push(rotated);
    }
    let (even, odd): (Vec<_>, Vec<_>) = deliveries
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    out.push(odd.into_iter().chain(even).map(|(_, d)| d).collect());
    out
}

struct Expected {
    status: &'static str,
    answered: bool,
    talk: Option<i64>,
    duration: i64,
    voicemail: bool,
}

fn expected(outcome: CallOutcome) -> Expected {
    match outcome {
        CallOutcome::Answered => Expected {
            status: "completed",
            answered: true,
            talk: Some(95),
            duration: 102,
            voicemail: false,
        },
        CallOutcome::Missed => Expected {
            status: "no-answer",
            answered: false,
            talk: None,
            duration: 7,
            voicemail: false,
        },
        CallOutcome::Voicemail => Expected {
            status: "voicemail",
            answered: false,
            talk: None,
            duration: 38,
            voicemail: true,
        },
        CallOutcome::Busy => Expected {
            status: "busy",
            answered: false,
            talk: None,
            duration: 7,
            voicemail: false,
        },
    }
}

async fn every_outcome_in_any_order_and_repeated_ends_in_one_right_row(app: TestApp) {
    for (i, outcome) in [
        CallOutcome::Answered,
        CallOutcome::Missed,
        CallOutcome::Voicemail,
        CallOutcome::Busy,
    ]
    .into_iter()
    .enumerate()
    {
        let (dj, number) = app
            .dj_with_number(
                &format!("dj-outcome-{i}"),
                "DJ <Sparkle> & Co",
                "America/New_York",
            )
            .await;
        let want = expected(outcome);
        for (round, order) in orderings(&scenario(outcome, &number).deliveries())
            .into_iter()
            .enumerate()
        {
            // A fresh call each round, its deliveries reordered and the whole sequence sent twice.
            let base = scenario(outcome, &number);
            let fresh = base.deliveries();
            let mapped: Vec<WebhookDelivery> = order
                .iter()
                .map(|d| fresh.iter().find(|f| f.path == d.path).cloned().unwrap())
                .collect();
            let twice: Vec<WebhookDelivery> = mapped.iter().chain(mapped.iter()).cloned().collect();
            let answers = deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &twice)
                .await
                .unwrap();
            assert!(
                answers.iter().all(|(_, s)| (200..300).contains(s)),
                "{outcome:?} round {round}: {answers:?}"
            );
            let calls = app.calls_of(dj).await;
            let call = calls
                .iter()
                .find(|c| c["call_sid"] == base.call_sid.to_string())
                .unwrap_or_else(|| panic!("{outcome:?} round {round}: no call row"));
            assert_eq!(
                calls
                    .iter()
                    .filter(|c| c["call_sid"] == base.call_sid.to_string())
                    .count(),
                1
            );
            assert_eq!(
                call["call_status"], want.status,
                "{outcome:?} round {round}"
            );
            assert_eq!(call["answered"], want.answered);
            assert_eq!(call["talk_seconds"].as_i64(), want.talk);
            assert_eq!(call["call_duration_seconds"].as_i64(), Some(want.duration));
            assert_eq!(call["voicemail_left"], want.voicemail);
            assert_eq!(call["caller_number"], CALLER);
            assert_eq!(call["virtual_number"], number.as_str());
            assert_eq!(call["source"], "twilio");
            if want.voicemail {
                assert_eq!(call["transcription_status"], "completed");
                assert!(
                    call["transcription_text"]
                        .as_str()
                        .unwrap()
                        .contains("wedding")
                );
            }
            if outcome == CallOutcome::Answered || want.voicemail {
                assert_eq!(call["has_recording"], true);
                assert!(
                    !call.to_string().contains("api.twilio.com"),
                    "the provider's URL must not leak"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_outcome_in_any_order_and_repeated_ends_in_one_right_row_on_sqlite() {
    every_outcome_in_any_order_and_repeated_ends_in_one_right_row(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn every_outcome_in_any_order_and_repeated_ends_in_one_right_row_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        every_outcome_in_any_order_and_repeated_ends_in_one_right_row(app).await;
    }
}

async fn concurrent_deliveries_for_one_call_are_safe(app: TestApp) {
    let (dj, number) = app
        .dj_with_number("dj-concurrent", "DJ <Sparkle> & Co", "America/New_York")
        .await;
    for _ in 0..3 {
        let s = scenario(CallOutcome::Voicemail, &number);
        let deliveries = s.deliveries();
        let sends = deliveries
            .iter()
            .chain(deliveries.iter())
            .map(|d| {
                let base = app.base_url.clone();
                let d = vec![d.clone()];
                tokio::spawn(async move { deliver(&base, SIMULATOR_AUTH_TOKEN, &d).await })
            })
            .collect::<Vec<_>>();
        for send in sends {
            let answers = send.await.unwrap().unwrap();
            assert!(
                answers.iter().all(|(_, s)| (200..300).contains(s)),
                "{answers:?}"
            );
        }
        // A status callback that overtook `incoming` finds no number to own the call yet; on
        // PostgreSQL the row then comes with the projection that follows the answer.
        app.app.project_pending().await.unwrap();
        let calls = app.calls_of(dj).await;
        let matching: Vec<_> = calls
            .iter()
            .filter(|c| c["call_sid"] == s.call_sid.to_string())
            .collect();
        assert_eq!(matching.len(), 1);
        assert_eq!(matching[0]["call_status"], "voicemail");
    }
}

#[tokio::test]
async fn concurrent_deliveries_for_one_call_are_safe_on_sqlite() {
    concurrent_deliveries_for_one_call_are_safe(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn concurrent_deliveries_for_one_call_are_safe_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        concurrent_deliveries_for_one_call_are_safe(app).await;
    }
}
