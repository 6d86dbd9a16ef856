//! Calls connect while the database cannot take writes (SPEC §10), on SQLite made unwritable
//! by another program holding its write lock: `incoming` forwards from the routing table in
//! memory, `<Dial action>` decides from the dial outcome, every delivery is spooled; once the
//! lock is gone the spool is applied and the call is as if nothing had happened — once.
//! PostgreSQL stopped and restarted for real, with a process killed during the outage, is
//! `crates/cli/tests/outage.rs`.

use crate::voice::support::{CALLER, post_signed, scenario};
use djcalls_telephony::{CallOutcome, WebhookDelivery, paths};
use djcalls_testkit::{DJ_REAL_NUMBER, TestApp};
use serde_json::Value;
use sqlx::{Connection, SqliteConnection};

/// Another connection holding SQLite's write lock: every write of the app fails (busy) until
/// it is dropped. Reads go on (WAL).
async fn hold_write_lock(app: &TestApp) -> SqliteConnection {
    let mut other = SqliteConnection::connect(&app.db.url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    other
}

async fn release(mut lock: SqliteConnection) {
    sqlx::query("ROLLBACK").execute(&mut lock).await.unwrap();
    lock.close().await.unwrap();
}

async fn send(app: &TestApp, deliveries: &[WebhookDelivery]) -> Vec<(&'static str, u16, String)> {
    let mut answers = Vec::new();
    for d in deliveries {
        let (status, body) = post_signed(app, d.path, &d.params).await;
        answers.push((d.path, status, body));
    }
    answers
}

fn answer<'a>(
    answers: &'a [(&'static str, u16, String)],
    path: &str,
) -> &'a (&'static str, u16, String) {
    answers.iter().find(|(p, _, _)| *p == path).unwrap()
}

async fn jobs(app: &TestApp) -> Value {
    app.service_json("/api/djdash/admin/jobs").await
}

#[tokio::test]
async fn a_call_connects_while_sqlite_is_locked_and_is_recorded_once_when_it_is_not() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-outage", "DJ Outage", "America/New_York")
        .await;
    let call = scenario(CallOutcome::Answered, &number);
    let deliveries = call.deliveries();

    let lock = hold_write_lock(&app).await;
    let answers = send(&app, &deliveries).await;
    for (path, status, body) in &answers {
        assert!((200..300).contains(status), "{path}: {status} {body}");
    }
    // The caller was connected to the DJ's real number, with the virtual number as caller id,
    // and hung up on after the conversation.
    let (_, _, incoming) = answer(&answers, paths::CALL_INCOMING);
    assert!(incoming.contains("<Dial"), "{incoming}");
    assert!(incoming.contains(DJ_REAL_NUMBER), "{incoming}");
    assert!(incoming.contains(number.as_str()), "{incoming}");
    assert!(incoming.contains("DJ Outage"), "{incoming}");
    let (_, _, dial) = answer(&answers, paths::CALL_DIAL_STATUS);
    assert!(dial.contains("<Hangup"), "{dial}");
    // Nothing reached the database; everything waits in the spool.
    assert!(app.calls_of(dj).await.is_empty());
    let spooled = app.app.voice_spool().pending().await.unwrap();
    assert!(spooled >= 4, "incoming, dial, recording, status: {spooled}");

    // While the lock is held, the API's writes answer 503 database_unavailable.
    let put = app
        .client
        .put(app.url(&format!("/api/djdash/profiles/{dj}")))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({"dj_name": "DJ Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 503);
    assert_eq!(put.headers()["retry-after"], "5");
    let body: Value = put.json().await.unwrap();
    assert_eq!(body["code"], "database_unavailable", "{body}");

    release(lock).await;
    let report = app.app.replay_spool().await.unwrap();
    assert_eq!(report.applied, spooled);
    assert_eq!((report.set_aside, report.remaining), (0, 0));
    assert_eq!(app.app.voice_spool().pending().await.unwrap(), 0);

    let calls = app.calls_of(dj).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let row = &calls[0];
    assert_eq!(row["call_sid"], call.call_sid.to_string());
    assert_eq!(row["call_status"], "completed");
    assert_eq!(row["answered"], true);
    assert_eq!(row["talk_seconds"], 95);
    assert_eq!(row["call_duration_seconds"], 102);
    assert_eq!(row["caller_number"], CALLER);
    assert_eq!(row["has_recording"], true);
    // The follow-up was decided as usual: one job.
    assert_eq!(jobs(&app).await["counts"]["queued"], 1);

    // Replaying again, or Twilio retrying every delivery, changes nothing.
    let events = app
        .db
        .store
        .voice_events(call.call_sid.as_str())
        .await
        .unwrap();
    assert_eq!(app.app.replay_spool().await.unwrap().applied, 0);
    let again = send(&app, &deliveries).await;
    assert!(again.iter().all(|(_, s, _)| (200..300).contains(s)));
    let after = app
        .db
        .store
        .voice_events(call.call_sid.as_str())
        .await
        .unwrap();
    assert_eq!(after.len(), events.len());
    assert_eq!(app.calls_of(dj).await.len(), 1);
    assert_eq!(jobs(&app).await["counts"]["queued"], 1);
}

#[tokio::test]
async fn a_forwarding_number_changed_through_this_process_is_used_at_once_in_an_outage() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-moved", "DJ Moved", "America/New_York")
        .await;
    let changed = app
        .client
        .patch(app.url("/api/djdash/virtual-numbers"))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({"dj_profile_id": dj, "real_phone_number": "+13125550199"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);

    let lock = hold_write_lock(&app).await;
    let incoming = &scenario(CallOutcome::Missed, &number).deliveries()[0];
    let (status, twiml) = post_signed(&app, incoming.path, &incoming.params).await;
    release(lock).await;
    assert_eq!(status, 200);
    assert!(twiml.contains("+13125550199"), "{twiml}");
    assert!(!twiml.contains(DJ_REAL_NUMBER), "{twiml}");
}

#[tokio::test]
async fn a_corrupt_spool_entry_is_set_aside_and_the_rest_applied() {
    let app = TestApp::sqlite().await;
    let (dj, number) = app
        .dj_with_number("dj-corrupt", "DJ Corrupt", "America/New_York")
        .await;
    let spool_dir = app.app.voice_spool().dir().to_path_buf();
    std::fs::create_dir_all(&spool_dir).unwrap();
    // Sorts before anything the app writes.
    let corrupt = "00000000000000000001-0000000000-0000000001.entry";
    std::fs::write(spool_dir.join(corrupt), b"{\"format\": 1, \"door\": \"inc").unwrap();

    let lock = hold_write_lock(&app).await;
    let incoming = &scenario(CallOutcome::Missed, &number).deliveries()[0];
    let (status, _) = post_signed(&app, incoming.path, &incoming.params).await;
    assert_eq!(status, 200);
    release(lock).await;

    let report = app.app.replay_spool().await.unwrap();
    assert_eq!(
        (report.applied, report.set_aside, report.remaining),
        (1, 1, 0)
    );
    assert!(spool_dir.join("rejected").join(corrupt).is_file());
    assert_eq!(app.calls_of(dj).await.len(), 1);
}

#[tokio::test]
async fn with_an_unwritable_spool_the_caller_is_still_connected() {
    let first = TestApp::sqlite().await;
    let (_, number) = first
        .dj_with_number("dj-nospool", "DJ No Spool", "America/New_York")
        .await;
    // A file where the spool directory should be: unwritable even for root.
    let blocked = first.spool_dir.path().join("a-file");
    std::fs::write(&blocked, b"").unwrap();
    let app = TestApp::builder()
        .settings(move |s| s.spool_dir = blocked.join("spool"))
        .serve_beside(&first)
        .await;
    // Its routing table is loaded as `serve` loads it at start.
    app.app.refresh_routing().await.unwrap();

    let lock = hold_write_lock(&first).await;
    let deliveries = scenario(CallOutcome::Answered, &number).deliveries();
    let signed = |d: &WebhookDelivery| {
        let url = app.url(d.path);
        let signature = djcalls_telephony::compute_signature(
            djcalls_app::settings::SIMULATOR_AUTH_TOKEN,
            &url,
            &d.params,
        );
        first
            .client
            .post(url)
            .header("X-Twilio-Signature", signature)
            .form(&d.params)
    };
    let incoming = signed(&deliveries[0]).send().await.unwrap();
    assert_eq!(incoming.status(), 200);
    let twiml = incoming.text().await.unwrap();
    assert!(twiml.contains(DJ_REAL_NUMBER), "{twiml}");
    // A status callback that can be neither recorded nor spooled is refused, for Twilio to retry.
    let status_callback = deliveries
        .iter()
        .find(|d| d.path == paths::CALL_STATUS)
        .unwrap();
    let refused = signed(status_callback).send().await.unwrap();
    assert_eq!(refused.status(), 503);
    release(lock).await;
}
