//! The periodic reconciliation: every process offers the job of the current 15-minute slot,
//! exactly one job runs per slot (whichever process claims it), it looks back 24 hours, and a
//! Twilio failure leaves it queued for a retry with a short reason.

use super::*;
use djcalls_app::records::Job;
use djcalls_domain::Actor;
use djcalls_store::jobs::JobState;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

djcalls_testkit::on_both_backends! { TestApp:
    one_job_per_slot_runs_once_across_processes => one_job_per_slot_runs_once_across_processes;
}

async fn job_of_slot(t: &TestApp, slot: &str) -> Job {
    t.db.store
        .job_by_dedupe_key(&Actor::System, &format!("reconcile_calls:{slot}"))
        .await
        .unwrap()
        .expect("the slot's job")
}

async fn one_job_per_slot_runs_once_across_processes(t: TestApp) {
    let (dj, number) = dj_since_yesterday(&t).await;
    let to = number.as_str();
    let twilio = MockServer::start().await;
    let unseen = sid(7);
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(query_param("To", to))
        // The slot starts at 12:00 today; the window reaches back to 12:00 yesterday.
        .and(query_param("StartTime>", "2026-06-14"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![leg(
                &unseen,
                None,
                to,
                "completed",
                "2026-06-15T09:30:00Z",
                Some(40),
            )],
            None,
        )))
        .expect(2)
        .mount(&twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(query_param("ParentCallSid", unseen.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![leg(
                &sid(8),
                Some(&unseen),
                "+14155559999",
                "completed",
                "2026-06-15T09:30:04Z",
                Some(33),
            )],
            None,
        )))
        .expect(1)
        .mount(&twilio)
        .await;

    // Reconciliation is off without real Twilio: nothing is queued.
    assert!(!t.app.offer_call_reconciliation().await.unwrap());
    // Two processes on one database, both with real Twilio.
    let first = with_real_twilio(&t, &twilio).await;
    let second = TestApp::builder()
        .telephony(twilio_client(&twilio))
        .settings(|s| s.reconcile_calls = true)
        .restart_of(&t)
        .await;
    let offers = (
        first.app.offer_call_reconciliation().await.unwrap(),
        second.offer_call_reconciliation().await.unwrap(),
    );
    assert_eq!(offers, (true, false), "one job for the slot");
    let (ran_first, ran_second) = tokio::join!(first.app.run_due_jobs(), second.run_due_jobs());
    assert_eq!(ran_first + ran_second, 1, "the slot's job ran once");
    assert_eq!(
        job_of_slot(&t, "2026-06-15T12:00:00Z").await.state,
        JobState::Done
    );
    let call = call_by_sid(&t, dj, &unseen).await.unwrap();
    assert_eq!(
        (&call["source"], &call["talk_seconds"]),
        (&json!("fallback"), &json!(33))
    );

    // Later in the same slot: nothing new. The next slot runs again and records nothing twice.
    t.clock.set(at("2026-06-15T12:14:59Z"));
    assert!(!second.offer_call_reconciliation().await.unwrap());
    t.clock.set(at("2026-06-15T12:15:00Z"));
    assert!(second.offer_call_reconciliation().await.unwrap());
    assert_eq!(second.run_due_jobs().await, 1);
    assert_eq!(
        job_of_slot(&t, "2026-06-15T12:15:00Z").await.state,
        JobState::Done
    );
    assert_eq!(t.calls_of(dj).await.len(), 1);
    twilio.verify().await;
    second.close().await;
}

#[tokio::test]
async fn a_twilio_failure_leaves_the_job_queued_for_a_retry() {
    let t = TestApp::sqlite().await;
    dj_since_yesterday(&t).await;
    let twilio = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "code": 20003, "message": "Authenticate", "status": 401,
        })))
        .mount(&twilio)
        .await;
    let served = with_real_twilio(&t, &twilio).await;
    assert!(served.app.offer_call_reconciliation().await.unwrap());
    assert_eq!(served.app.run_due_jobs().await, 1);
    let job = job_of_slot(&t, "2026-06-15T12:00:00Z").await;
    assert_eq!(job.state, JobState::Queued, "retried after a backoff");
    assert_eq!(job.attempts, 1);
    let reason = job.last_error.unwrap();
    assert!(reason.contains("credentials"), "{reason}");
    assert!(job.run_at.0 > at("2026-06-15T12:00:00Z"));
}
