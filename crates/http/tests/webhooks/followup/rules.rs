//! Which calls get a text and when: skips, the missed-call text, quiet hours, one a day, runner.

use super::support::*;
use djcalls_domain::Actor;
use djcalls_store::jobs::JobState;
use djcalls_telephony::CallOutcome;
use djcalls_testkit::{TestApp, TestDb};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

#[tokio::test]
async fn short_missed_voicemail_and_logged_calls_get_no_text() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    call(&app, CallOutcome::Answered, &number, "+14155550101", 10).await;
    call(&app, CallOutcome::Answered, &number, "+14155550102", 3).await;
    call(&app, CallOutcome::Missed, &number, "+14155550103", 0).await;
    call(&app, CallOutcome::Voicemail, &number, "+14155550104", 0).await;
    call(&app, CallOutcome::Busy, &number, "+14155550105", 0).await;
    // A call logged through the API, answered and long.
    let logged = app
        .client
        .post(app.url("/api/djdash/calls"))
        .bearer_auth(app.service_key())
        .json(&json!({"dj_profile_id": dj, "caller_number": "+14155550106",
                      "virtual_number": number.as_str(), "call_status": "completed",
                      "call_duration_seconds": 300, "call_sid": "CA0123456789abcdef0123456789abcdef"}))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status().as_u16(), 201);
    assert_eq!(app.app.run_due_jobs().await, 0, "no job was enqueued");
    assert!(
        app.db
            .store
            .pending_jobs(&Actor::System, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(app.telephony.sent_messages().is_empty());
    // The threshold is strict: 11 s qualifies.
    call(&app, CallOutcome::Answered, &number, "+14155550107", 11).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
    for c in app.calls_of(dj).await {
        let texted = c["caller_number"] == "+14155550107";
        assert_eq!(c["tipjar_link_sent"], texted, "{}", c["caller_number"]);
    }
}

#[tokio::test]
async fn the_missed_call_text_is_optional_and_counts_as_the_one_follow_up() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    let other = TestApp::builder()
        .settings(|s| s.missed_call_text = true)
        .serve_beside(&app)
        .await;
    let base = other.base_url.clone();
    let missed = scenario(CallOutcome::Missed, &number, "+14155550111", 0);
    deliver_call_to(&base, &missed).await;
    let voicemail = scenario(CallOutcome::Voicemail, &number, "+14155550112", 0);
    deliver_call_to(&base, &voicemail).await;
    deliver_call_to(&base, &voicemail).await;
    let short = scenario(CallOutcome::Answered, &number, "+14155550113", 5);
    deliver_call_to(&base, &short).await;
    assert_eq!(other.app.run_due_jobs().await, 2);
    let sent = app.telephony.sent_messages();
    assert_eq!(sent.len(), 2);
    for sms in &sent {
        assert!(
            sms.body
                .starts_with("Sorry we missed your call to DJ Sparkle"),
            "{}",
            sms.body
        );
        assert!(sms.body.contains("#inquiry-form") && sms.body.contains("Reply STOP"));
        assert!(!sms.body.contains("/pay/"));
    }
    // It was the call's one follow-up: nothing more, ever.
    advance(&app, SignedDuration::from_hours(30));
    deliver_call_to(&base, &voicemail).await;
    other.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 2);
    let record = call_by_sid(&app, dj, missed.call_sid.as_str()).await;
    assert_eq!(
        followup_job(&app, &record).await.unwrap().state,
        JobState::Done
    );
    // Off by default: the same kind of call through the default app texts nobody.
    call(&app, CallOutcome::Missed, &number, "+14155550114", 0).await;
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 2);
}

#[tokio::test]
async fn quiet_hours_delay_the_text_to_the_morning_in_the_djs_zone() {
    let app = TestApp::sqlite().await;
    let (_, number) = app
        .dj_with_number("dj-night", "DJ Night", "America/Chicago")
        .await;
    // 23:00 in Chicago (CDT, UTC-5).
    app.clock.set("2026-06-16T04:00:00Z".parse().unwrap());
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1, "it ran and chose to wait");
    assert!(app.telephony.sent_messages().is_empty());
    let pending = app.db.store.pending_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].run_at.0,
        "2026-06-16T13:00:00Z".parse::<Timestamp>().unwrap(),
        "08:00 local"
    );
    assert_eq!(pending[0].attempts, 0, "waiting is not a failed attempt");
    // 07:59 local: still nothing.
    app.clock.set("2026-06-16T12:59:00Z".parse().unwrap());
    assert_eq!(app.app.run_due_jobs().await, 0);
    assert!(app.telephony.sent_messages().is_empty());
    // 08:01 local: sent.
    app.clock.set("2026-06-16T13:01:00Z".parse().unwrap());
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
    assert!(app.telephony.sent_messages()[0].body.contains("DJ Night"));
}

#[tokio::test]
async fn one_text_per_caller_per_dj_per_day() {
    let app = app_at_noon().await;
    let (_, number) = dj(&app).await;
    let (_, other_number) = app
        .dj_with_number("dj-other", "DJ Other", "America/New_York")
        .await;
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    advance(&app, SignedDuration::from_hours(2));
    call(&app, CallOutcome::Answered, &number, CALLER, 120).await;
    app.app.run_due_jobs().await;
    assert_eq!(
        app.telephony.sent_messages().len(),
        1,
        "same caller, same DJ, within 24 h"
    );
    // Another DJ may text the same caller.
    call(&app, CallOutcome::Answered, &other_number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 2);
    assert_eq!(app.telephony.sent_messages()[1].from, other_number);
    // A day later the first DJ may text again.
    advance(&app, SignedDuration::from_hours(23));
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 3);
}

/// The background runner (the one test that waits on real time, bounded): it runs a due job
/// on its own, and after a graceful stop it claims nothing new.
#[tokio::test]
async fn the_background_runner_runs_jobs_and_stops_gracefully() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.clock.set(noon());
    let (_, number) = dj(&app).await;
    let runner = app.app.start_job_runner(2, djcalls_app::jobs::DEFAULT_POLL);
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while app.telephony.sent_messages().is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the runner sent the follow-up");
    runner.shutdown().await;
    // After the stop a due job stays queued.
    call(&app, CallOutcome::Answered, &number, "+14155550177", 95).await;
    let pending = app.db.store.pending_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].state, JobState::Queued);
    assert_eq!(app.telephony.sent_messages().len(), 1);
}
