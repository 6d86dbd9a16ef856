//! The TipJar follow-up SMS and inbound SMS end to end: signed Twilio webhooks into the running
//! app, jobs drained with `run_due_jobs` under a fixed clock, texts read back from the
//! simulated Twilio. Exactly one text per qualifying call under duplicates, retries and a
//! restart; none for short, missed, logged or opted-out calls; quiet hours; the 24 h rule;
//! STOP/START/HELP and status callbacks.
#![allow(clippy::unwrap_used)]

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_app::{App, Settings};
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_store::DbTime;
use djcalls_store::jobs::{Job, JobState};
use djcalls_telephony::{
    CallOutcome, CallScenario, SIGNATURE_HEADER, TwilioError, compute_signature, deliver,
};
use djcalls_testkit::{TestApp, TestDb};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const CALLER: &str = "+14155550123";
const CALLER_DIGITS: &str = "4155550123";

/// Noon in New York (the default profile zone): outside quiet hours.
fn noon() -> Timestamp {
    "2026-06-15T16:00:00Z".parse().unwrap()
}

fn advance(app: &TestApp, by: SignedDuration) {
    let now = app.app.clock.now();
    app.clock.set(now.checked_add(by).unwrap());
}

async fn dj(app: &TestApp) -> (DjProfileId, PhoneNumber) {
    app.dj_with_number("dj-sparkle", "DJ Sparkle", "America/New_York")
        .await
}

fn scenario(outcome: CallOutcome, to: &PhoneNumber, caller: &str, talk: u32) -> CallScenario {
    let mut s = CallScenario::new(outcome, PhoneNumber::parse(caller).unwrap(), to.clone());
    s.talk_seconds = talk;
    s
}

/// Sends the scenario's signed webhooks to `base_url` and checks every answer was 2xx.
async fn deliver_call_to(base_url: &str, s: &CallScenario) {
    let answers = deliver(base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    for (path, status) in answers {
        assert!((200..300).contains(&status), "{path}: {status}");
    }
}

async fn call(
    app: &TestApp,
    outcome: CallOutcome,
    to: &PhoneNumber,
    caller: &str,
    talk: u32,
) -> CallScenario {
    let s = scenario(outcome, to, caller, talk);
    deliver_call_to(&app.base_url, &s).await;
    s
}

async fn call_by_sid(app: &TestApp, dj: DjProfileId, sid: &str) -> Value {
    app.calls_of(dj)
        .await
        .into_iter()
        .find(|c| c["call_sid"] == sid)
        .unwrap_or_else(|| panic!("no call {sid}"))
}

async fn followup_job(app: &TestApp, call: &Value) -> Option<Job> {
    let key = format!("followup:{}", call["id"].as_str().unwrap());
    app.app
        .store
        .job_by_dedupe_key(&Actor::System, &key)
        .await
        .unwrap()
}

/// A signed SMS webhook; returns the status and the body.
async fn sms_webhook(app: &TestApp, path: &str, params: &[(&str, &str)]) -> (u16, String) {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    let signature = compute_signature(SIMULATOR_AUTH_TOKEN, &app.url(path), &params);
    let response = app
        .client
        .post(app.url(path))
        .header(SIGNATURE_HEADER, signature)
        .form(&params)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn message_sid() -> String {
    format!("SM{}", uuid::Uuid::new_v4().simple())
}

async fn text_in(app: &TestApp, from: &str, to: &PhoneNumber, body: &str) -> (u16, String) {
    let sid = message_sid();
    sms_webhook(
        app,
        "/api/djdash/sms/incoming",
        &[
            ("MessageSid", &sid),
            ("SmsSid", &sid),
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("From", from),
            ("To", to.as_str()),
            ("Body", body),
            ("NumMedia", "0"),
        ],
    )
    .await
}

async fn app_at_noon() -> TestApp {
    let app = TestApp::sqlite().await;
    app.clock.set(noon());
    app
}

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
    assert_eq!(job.state(), Some(JobState::Done));

    // The message is recorded under its sid, linked to the call.
    let message = app
        .app
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
    assert_eq!((job.state(), job.attempts), (Some(JobState::Queued), 1));
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
    assert_eq!((job.state(), job.attempts), (Some(JobState::Done), 3));
    advance(&app, SignedDuration::from_hours(5));
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    assert_eq!(
        call_by_sid(&app, dj, s.call_sid.as_str()).await["tipjar_link_sent"],
        true
    );
}

/// A second `App` over the same database with a fresh connection pool: what a restarted
/// process is.
async fn restarted(app: &TestApp) -> App {
    let store = djcalls_store::Store::connect(&app.db.url).await.unwrap();
    App::new(
        store,
        (*app.app.settings).clone(),
        app.clock.clone(),
        app.telephony.clone(),
        app.payments.clone(),
    )
}

async fn a_restart_mid_job_neither_loses_nor_repeats_the_text(app: TestApp) {
    let (dj, number) = dj(&app).await;
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    // A worker claims the job and dies before doing anything.
    let now = DbTime(app.app.clock.now());
    let claimed = app
        .app
        .store
        .claim_jobs(now, djcalls_app::jobs::LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(claimed);
    // Still leased: the restarted process does not touch it yet.
    let second = restarted(&app).await;
    assert_eq!(second.run_due_jobs().await, 0);
    // After the lease, it is claimed again and sent once.
    advance(&app, SignedDuration::from_secs(121));
    assert_eq!(second.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    assert_eq!(record["tipjar_link_sent"], true);
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!((job.state(), job.attempts), (Some(JobState::Done), 2));
    // Both processes keep running jobs: nothing more is sent.
    advance(&app, SignedDuration::from_hours(1));
    app.app.run_due_jobs().await;
    second.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    second.store.close().await;
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
    let now = DbTime(app.app.clock.now());
    let claimed = app
        .app
        .store
        .claim_jobs(now, djcalls_app::jobs::LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let claim = app
        .app
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
    let second = restarted(&app).await;
    assert_eq!(second.run_due_jobs().await, 1);
    assert!(
        app.telephony.sent_messages().is_empty(),
        "never a second text"
    );
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state(), Some(JobState::Done));
    second.store.close().await;
}

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
        app.app
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

/// The app with `tweak`ed settings on its own port, over the same database, clock and Twilio.
async fn serve_with(
    app: &TestApp,
    tweak: impl FnOnce(&mut Settings),
) -> (String, App, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let mut settings = (*app.app.settings).clone();
    settings.public_base_url = base_url.clone();
    tweak(&mut settings);
    let other = App::new(
        app.app.store.clone(),
        settings,
        app.clock.clone(),
        app.telephony.clone(),
        app.payments.clone(),
    );
    let router = djcalls_http::router(other.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (base_url, other, server)
}

#[tokio::test]
async fn the_missed_call_text_is_optional_and_counts_as_the_one_follow_up() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    let (base, other, server) = serve_with(&app, |s| s.missed_call_text = true).await;
    let missed = scenario(CallOutcome::Missed, &number, "+14155550111", 0);
    deliver_call_to(&base, &missed).await;
    let voicemail = scenario(CallOutcome::Voicemail, &number, "+14155550112", 0);
    deliver_call_to(&base, &voicemail).await;
    deliver_call_to(&base, &voicemail).await;
    let short = scenario(CallOutcome::Answered, &number, "+14155550113", 5);
    deliver_call_to(&base, &short).await;
    assert_eq!(other.run_due_jobs().await, 2);
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
    other.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 2);
    let record = call_by_sid(&app, dj, missed.call_sid.as_str()).await;
    assert_eq!(
        followup_job(&app, &record).await.unwrap().state(),
        Some(JobState::Done)
    );
    // Off by default: the same kind of call through the default app texts nobody.
    call(&app, CallOutcome::Missed, &number, "+14155550114", 0).await;
    app.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 2);
    server.abort();
}

#[tokio::test]
async fn an_opted_out_caller_gets_nothing_until_start() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    let (status, body) = text_in(&app, CALLER, &number, "  stop! ").await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"), "{body}");
    assert!(app.app.store.is_opted_out(CALLER).await.unwrap());

    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(
        app.telephony.sent_messages().is_empty(),
        "never texted after STOP"
    );
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    assert_eq!(
        followup_job(&app, &record).await.unwrap().state(),
        Some(JobState::Done)
    );
    assert_eq!(record["tipjar_link_sent"], false);

    // START opts back in; the next call is texted.
    let (status, body) = text_in(&app, CALLER, &number, "Start").await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"), "{body}");
    assert!(!app.app.store.is_opted_out(CALLER).await.unwrap());
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);

    // Every opt-out keyword works, in any case.
    for (i, word) in [
        "UNSUBSCRIBE",
        "end",
        "Quit",
        "stopall",
        "REVOKE",
        "optout",
        "cancel",
    ]
    .iter()
    .enumerate()
    {
        let from = format!("+1415555020{i}");
        text_in(&app, &from, &number, word).await;
        assert!(app.app.store.is_opted_out(&from).await.unwrap(), "{word}");
        text_in(
            &app,
            &from,
            &number,
            if i % 2 == 0 { "yes" } else { "UNSTOP" },
        )
        .await;
        assert!(!app.app.store.is_opted_out(&from).await.unwrap(), "{word}");
    }
}

#[tokio::test]
async fn help_answers_twiml_and_other_texts_are_kept_as_leads() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    for word in ["HELP", "info "] {
        let (status, body) = text_in(&app, CALLER, &number, word).await;
        assert_eq!(status, 200);
        assert!(body.contains("<Response><Message>"), "{body}");
        assert!(body.contains("Reply STOP to opt out"), "{body}");
        assert!(body.contains("&amp;"), "escaped: {body}");
    }
    let (status, body) = text_in(&app, CALLER, &number, "Are you free on June 14th?").await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"));
    assert!(!app.app.store.is_opted_out(CALLER).await.unwrap());
    let messages = app
        .app
        .store
        .messages_for_profile(&Actor::System, dj, 10)
        .await
        .unwrap();
    let lead = messages.iter().find(|m| m.kind == "lead").unwrap();
    assert_eq!(lead.body.as_deref(), Some("Are you free on June 14th?"));
    assert_eq!(lead.from_number.as_deref(), Some(CALLER));
    assert_eq!(lead.direction, "inbound");

    // Unsigned or wrongly signed: 403, nothing written.
    let refused = app
        .client
        .post(app.url("/api/djdash/sms/incoming"))
        .header(SIGNATURE_HEADER, "bm9wZQ==")
        .form(&[
            ("MessageSid", "SM1"),
            ("From", CALLER),
            ("To", number.as_str()),
            ("Body", "STOP"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!app.app.store.is_opted_out(CALLER).await.unwrap());
}

#[tokio::test]
async fn a_21610_opts_the_number_out_and_is_not_retried() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony.fail_next_sends([TwilioError::OptedOut]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty());
    assert!(app.app.store.is_opted_out(CALLER).await.unwrap());
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(
        (job.state(), job.attempts),
        (Some(JobState::Done), 1),
        "done, not dead, not retried"
    );
    advance(&app, SignedDuration::from_hours(30));
    assert_eq!(app.app.run_due_jobs().await, 0);
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    assert!(
        app.telephony.sent_messages().is_empty(),
        "never texted again"
    );
}

#[tokio::test]
async fn a_permanent_error_is_dead_and_can_be_retried_by_hand() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony
        .fail_next_sends([TwilioError::InvalidRecipient {
            code: 21211,
            message: "The 'To' number +1******0123 is not valid".into(),
        }]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state(), Some(JobState::Dead));
    let error = job.last_error.clone().unwrap();
    assert!(
        error.contains("21211") && !error.contains("0123"),
        "{error}"
    );
    let dead = app.app.store.dead_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    advance(&app, SignedDuration::from_hours(1));
    assert_eq!(app.app.run_due_jobs().await, 0);
    // An admin fixes the cause and retries it.
    assert!(
        app.app
            .store
            .retry_dead_job(&Actor::System, job.id, DbTime(app.app.clock.now()))
            .await
            .unwrap()
    );
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
}

#[tokio::test]
async fn a_timed_out_send_is_never_repeated() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony.fail_next_sends([TwilioError::Timeout]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state(), Some(JobState::Dead), "visible to admins");
    // Even retried by hand, a text that may have gone out is not sent again.
    app.app
        .store
        .retry_dead_job(&Actor::System, job.id, DbTime(app.app.clock.now()))
        .await
        .unwrap();
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty());
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
    let pending = app
        .app
        .store
        .pending_jobs(&Actor::System, 10)
        .await
        .unwrap();
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

#[tokio::test]
async fn status_callbacks_are_recorded_monotonically_and_21610_opts_out() {
    let app = app_at_noon().await;
    let (_, number) = dj(&app).await;
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    let sid = app.telephony.sent_messages()[0].sid.to_string();
    for s in ["sent", "delivered", "sent"] {
        let params = [
            ("MessageSid", sid.as_str()),
            ("MessageStatus", s),
            ("To", CALLER),
            ("From", number.as_str()),
        ];
        let (code, _) = sms_webhook(&app, "/api/djdash/sms/status", &params).await;
        assert!((200..300).contains(&code), "{code}");
    }
    let message = app
        .app
        .store
        .message_by_sid(&Actor::System, &sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        message.status, "delivered",
        "a late 'sent' does not undo 'delivered'"
    );
    assert_eq!(message.kind, "followup");

    // A later message to another number fails with 21610: that number is opted out.
    let other = "+14155550999";
    let other_sid = message_sid();
    let (code, _) = sms_webhook(
        &app,
        "/api/djdash/sms/status",
        &[
            ("MessageSid", &other_sid),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "21610"),
            ("To", other),
        ],
    )
    .await;
    assert!((200..300).contains(&code));
    assert!(app.app.store.is_opted_out(other).await.unwrap());
    assert!(!app.app.store.is_opted_out(CALLER).await.unwrap());
}

/// The background runner (the one test that waits on real time, bounded): it runs a due job
/// on its own, and after a graceful stop it claims nothing new.
#[tokio::test]
async fn the_background_runner_runs_jobs_and_stops_gracefully() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.clock.set(noon());
    let (_, number) = dj(&app).await;
    let runner = app.app.start_job_runner(2);
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
    let pending = app
        .app
        .store
        .pending_jobs(&Actor::System, 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].state(), Some(JobState::Queued));
    assert_eq!(app.telephony.sent_messages().len(), 1);
}
