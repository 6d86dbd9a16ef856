//! Calls recorded from Twilio's call log (source `fallback`): once per call SID, never over a
//! call the service already has (a row, or only a webhook event), and — on SQLite, whose
//! CHECK had to be rebuilt — a database from before migration 0010 keeps its calls and their
//! references.

use crate::common::*;
use djcalls_domain::voice::VoiceEvent;
use djcalls_domain::{Actor, CallId, CallSource, CallStatus};
use djcalls_store::Store;
use djcalls_store::calls::NewCall;
use djcalls_testkit::TestDb;

djcalls_testkit::on_both_backends! { &TestDb:
    a_fallback_call_is_recorded_once => a_fallback_call_is_recorded_once;
    calls_the_service_saw_are_never_recorded_again => calls_the_service_saw_are_never_recorded_again;
}

const SID: &str = "CA00000000000000000000000000000001";

fn fallback_call(sid: &str) -> NewCall {
    NewCall {
        call_sid: Some(sid.to_string()),
        source: CallSource::Fallback,
        ..answered(profile(1), "2026-06-15T10:00:00Z", 42)
    }
}

async fn a_fallback_call_is_recorded_once(db: &TestDb) {
    let store = &db.store;
    create_profile(store, profile(1), "dj-one", "DJ One").await;
    let first = fallback_call(SID);
    assert!(
        store
            .insert_call_unless_known(&Actor::System, &first, now())
            .await
            .unwrap()
    );
    let again = fallback_call(SID);
    assert!(
        !store
            .insert_call_unless_known(&Actor::System, &again, now())
            .await
            .unwrap(),
        "the same call SID twice is recorded once"
    );
    let stored = store.call(&Actor::System, first.id).await.unwrap().unwrap();
    assert_eq!(stored.source, CallSource::Fallback);
    assert_eq!(stored.call_status, CallStatus::Completed);
    assert_eq!(stored.talk_seconds, Some(42));
    assert_eq!(stored.timestamp, at("2026-06-15T10:00:00Z"));
    assert!(
        store
            .call(&Actor::System, again.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn calls_the_service_saw_are_never_recorded_again(db: &TestDb) {
    let store = &db.store;
    create_profile(store, profile(1), "dj-one", "DJ One").await;
    // A call the webhooks created, and one whose only trace is a webhook event (it reached
    // a number nobody had then).
    let served = NewCall {
        call_sid: Some(SID.to_string()),
        source: CallSource::Twilio,
        ..call(profile(1), "2026-06-15T09:00:00Z")
    };
    insert(store, served.clone()).await;
    let seen_sid = "CA00000000000000000000000000000002";
    let event = VoiceEvent::Incoming {
        caller: Some("+13125550123".into()),
        virtual_number: "+19995550000".into(),
        caller_name: None,
    };
    let update = store
        .record_voice_event(seen_sid, "incoming:2", &event, now())
        .await
        .unwrap();
    assert!(update.call.is_none(), "no call row for an unknown number");
    let unseen_sid = "CA00000000000000000000000000000003";

    let asked: Vec<String> = [SID, seen_sid, unseen_sid]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let known = store.known_call_sids(&asked).await.unwrap();
    assert_eq!(known.len(), 2);
    assert!(known.contains(SID) && known.contains(seen_sid));

    for sid in [SID, seen_sid] {
        let attempt = fallback_call(sid);
        assert!(
            !store
                .insert_call_unless_known(&Actor::System, &attempt, now())
                .await
                .unwrap(),
            "{sid} was seen"
        );
    }
    let kept = store
        .call(&Actor::System, served.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.source, CallSource::Twilio, "left as it was");
    assert_eq!(kept.call_status, CallStatus::NoAnswer);
    assert!(store.known_call_sids(&[]).await.unwrap().is_empty());
}

/// A SQLite database migrated before 0010, with a call and a payment link pointing at it:
/// after 0010 rebuilds `dj_calls`, both are there, the link still must point at a real call,
/// and `fallback` is an accepted source.
#[tokio::test]
async fn sqlite_databases_from_before_the_fallback_source_keep_their_calls() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let old = migrations_before(dir.path(), 10);
    let store = Store::connect(&url).await.unwrap();
    {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    create_profile(&store, profile(1), "dj-one", "DJ One").await;
    // Written as that release wrote it: today's insert names columns added after 0010.
    let before = CallId::new_v7();
    {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", caller_number, created_at, \
             updated_at) VALUES ($1, $2, $3, '+14155550123', $4, $4)",
        )
        .bind(before.0)
        .bind(profile(1).0)
        .bind(at("2026-06-15T09:00:00Z"))
        .bind(now())
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    store
        .ensure_payment_link(before, profile(1), "tok-1", "ref-1", now())
        .await
        .unwrap();
    let refused = fallback_call(SID);
    assert!(
        store
            .insert_call_unless_known(&Actor::System, &refused, now())
            .await
            .is_err(),
        "before 0010 the schema refuses the fallback source"
    );

    store.migrate().await.unwrap();
    let kept = store.call(&Actor::System, before).await.unwrap().unwrap();
    assert_eq!(
        (
            kept.dj_profile_id,
            kept.timestamp,
            kept.caller_number.as_deref()
        ),
        (profile(1), at("2026-06-15T09:00:00Z"), Some("+14155550123"))
    );
    assert!(
        store
            .payment_link_by_token("tok-1")
            .await
            .unwrap()
            .is_some()
    );
    let dangling = store
        .ensure_payment_link(CallId::new_v7(), profile(1), "tok-2", "ref-2", now())
        .await;
    assert!(dangling.is_err(), "foreign keys still hold: {dangling:?}");
    assert!(
        store
            .insert_call_unless_known(&Actor::System, &fallback_call(SID), now())
            .await
            .unwrap()
    );
    store.close().await;
}

/// A directory holding copies of the SQLite migrations numbered below `version`.
fn migrations_before(dir: &std::path::Path, version: u32) -> std::path::PathBuf {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let target = dir.join("migrations");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let number: u32 = name[..4].parse().unwrap();
        if number < version {
            std::fs::copy(&path, target.join(&name)).unwrap();
        }
    }
    target
}
