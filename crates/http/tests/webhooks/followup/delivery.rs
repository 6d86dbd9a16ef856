//! Exactly one text: duplicate deliveries, retries with backoff, restarts and crashes mid-job.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::Actor;
use djcalls_store::jobs::JobState;
use djcalls_telephony::{CallOutcome, TwilioError, deliver};
use djcalls_testkit::TestApp;
use jiff::SignedDuration;

// ---------------------------------------------------------------------------------------------

async fn exactly_one_text_under_duplicates(app: TestApp) {
    let (dj, number) = dj(&app).await;
    let s = scenario(CallOutcome::Answered, &number, CALLER, 95);
    let deliveries = s.deliveries();
    // As sent, then all again reversed, then the status callback a third time.
    deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &deliveries)
        .await
        .unwrap();
    let reversed: Vec<_> = deliveries.iter().rev().cloned().collect();
    deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &reversed)
        .await
        .unwrap();
    deliver(
        &app.base_url,
        SIMULATOR_AUTH_TOKEN,
        &deliveries[deliveries.len() - 1..],
    )
    .await
    .unwrap();

    assert_eq!(app.app.run_due_jobs().await, 1, "one job for the call");
    assert_eq!(app.app.run_due_jobs().await, 0);
    let sent = app.telephony.sent_messages();
    assert_eq!(sent.len(), 1);
    let sms = &sent[0];
    assert_eq!(sms.to.as_str(), CALLER);
    assert_eq!(sms.from, number, "sent from the call's virtual number");
    assert!(sms.body.contains("DJ Sparkle"), "{}", sms.body);
    assert!(
        sms.body.contains(&format!("{}/pay/", app.base_url)),
        "{}",
        sms.body
    );
    assert!(
        sms.body
            .contains("https://djdash.net/dj/dj-sparkle#inquiry-form"),
        "{}",
        sms.body
    );
    assert!(sms.body.contains("Reply STOP"), "{}", sms.body);
    assert!(
        !sms.body.contains(CALLER_DIGITS),
        "no caller number in the text"
    );
    assert!(sms.body.is_ascii(), "plain GSM-7 text");
    assert!(
        sms.body.len() <= 306,
        "two segments at most: {}",
        sms.body.len()
    );
    assert_eq!(
        sms.status_callback.as_deref(),
        Some(app.url("/api/djdash/sms/status").as_str())
    );

    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    assert_eq!(record["tipjar_link_sent"], true);
    let link = record["tipjar_link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/pay/", app.base_url)),
        "{link}"
    );
    assert!(sms.body.contains(link));
    assert!(!link.contains(CALLER_DIGITS));

    // Later duplicates of every webhook, and more runs, change nothing.
    deliver(&app.base_url, SIMULATOR_AUTH_TOKEN, &deliveries)
        .await
        .unwrap();
    advance(&app, SignedDuration::from_hours(3));
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state, JobState::Done);

    // The message is recorded under its sid, linked to the call.
    let message = app
        .db
        .store
        .message_by_sid(&Actor::System, sms.sid.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        message.call_id.map(|c| c.to_string()),
        record["id"].as_str().map(str::to_string)
    );
    assert_eq!(message.to_number.as_deref(), Some(CALLER));
}

#[tokio::test]
async fn exactly_one_text_under_duplicates_on_sqlite() {
    exactly_one_text_under_duplicates(app_at_noon().await).await;
}

#[tokio::test]
async fn exactly_one_text_under_duplicates_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    app.clock.set(noon());
    exactly_one_text_under_duplicates(app).await;
}

#[tokio::test]
async fn a_twilio_500_is_retried_with_backoff_then_sent_once() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony.fail_next_sends([
        TwilioError::Server {
            status: 500,
            code: None,
        },
        TwilioError::Server {
            status: 503,
            code: None,
        },
    ]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty());
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Queued, 1));
    let error = job.last_error.clone().unwrap();
    assert!(error.contains("500"), "{error}");
    assert!(!error.contains(CALLER_DIGITS));
    assert!(
        job.run_at.0 >= noon().checked_add(SignedDuration::from_secs(24)).unwrap(),
        "backoff"
    );
    // Nothing runs before the backoff has passed.
    assert_eq!(app.app.run_due_jobs().await, 0);
    assert_eq!(record["tipjar_link_sent"], false);

    advance(&app, SignedDuration::from_mins(1));
    assert_eq!(app.app.run_due_jobs().await, 1, "second attempt (503)");
    assert!(app.telephony.sent_messages().is_empty());
    advance(&app, SignedDuration::from_mins(5));
    assert_eq!(app.app.run_due_jobs().await, 1, "third attempt succeeds");
    assert_eq!(app.telephony.sent_messages().len(), 1);
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 3));
    advance(&app, SignedDuration::from_hours(5));
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    assert_eq!(
        call_by_sid(&app, dj, s.call_sid.as_str()).await["tipjar_link_sent"],
        true
    );
}

async fn a_restart_mid_job_neither_loses_nor_repeats_the_text(app: TestApp) {
    let (dj, number) = dj(&app).await;
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    // A worker claims the job and dies before doing anything.
    let now = app.app.now();
    let claimed = app
        .db
        .store
        .claim_jobs(now, djcalls_app::jobs::LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(claimed);
    // Still leased: the restarted process (a fresh connection pool to the same database)
    // does not touch it yet.
    let second = TestApp::builder().restart_of(&app).await;
    assert_eq!(second.run_due_jobs().await, 0);
    // After the lease, it is claimed again and sent once.
    advance(&app, SignedDuration::from_secs(121));
    assert_eq!(second.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    assert_eq!(record["tipjar_link_sent"], true);
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 2));
    // Both processes keep running jobs: nothing more is sent.
    advance(&app, SignedDuration::from_hours(1));
    app.app.run_due_jobs().await;
    second.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    second.close().await;
}

#[tokio::test]
async fn a_restart_mid_job_neither_loses_nor_repeats_the_text_on_sqlite() {
    a_restart_mid_job_neither_loses_nor_repeats_the_text(app_at_noon().await).await;
}

#[tokio::test]
async fn a_restart_mid_job_neither_loses_nor_repeats_the_text_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    app.clock.set(noon());
    a_restart_mid_job_neither_loses_nor_repeats_the_text(app).await;
}

#[tokio::test]
async fn a_crash_after_claiming_the_text_never_sends_it_twice() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let call_id = djcalls_domain::CallId(record["id"].as_str().unwrap().parse().unwrap());
    // The worst window: the job claimed "sent" for the call (and maybe Twilio accepted the
    // text) but the process died before recording the sid.
    let now = app.app.now();
    let claimed = app
        .db
        .store
        .claim_jobs(now, djcalls_app::jobs::LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let claim = app
        .db
        .store
        .claim_followup(
            &djcalls_store::messages::FollowupRequest {
                call_id,
                dj_profile_id: dj,
                caller: CALLER,
                kind: "thanks",
                not_since: now,
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(claim, djcalls_store::messages::FollowupClaim::Claimed);
    advance(&app, SignedDuration::from_secs(121));
    let second = TestApp::builder().restart_of(&app).await;
    assert_eq!(second.run_due_jobs().await, 1);
    assert!(
        app.telephony.sent_messages().is_empty(),
        "never a second text"
    );
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state, JobState::Done);
    second.close().await;
}
