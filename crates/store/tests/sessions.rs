//! Dashboard sessions on both backends: looked up only while live, expired ones swept.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_domain::Role;
use djcalls_store::sessions::WebSession;
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;
use jiff::{SignedDuration, Timestamp};

fn at(s: &str) -> DbTime {
    DbTime(s.parse::<Timestamp>().unwrap())
}

async fn expired_sessions_are_invisible_and_swept(store: &Store) {
    let now = at("2026-06-15T12:00:00Z");
    let user = store
        .insert_user("dj@sessions.test", "hash", Role::Admin, &[], now)
        .await
        .unwrap();
    let session = |id: &str, expires: DbTime| WebSession {
        id_hash: id.to_string(),
        user_id: user.id,
        csrf_token: format!("csrf-{id}"),
        created_at: now,
        last_seen_at: now,
        expires_at: expires,
    };
    let later = DbTime(now.0.checked_add(SignedDuration::from_hours(1)).unwrap());
    let earlier = DbTime(now.0.checked_sub(SignedDuration::from_secs(1)).unwrap());
    store
        .insert_web_session(&session("live", later))
        .await
        .unwrap();
    store
        .insert_web_session(&session("stale", earlier))
        .await
        .unwrap();

    assert!(store.web_session("live", now).await.unwrap().is_some());
    assert!(store.web_session("stale", now).await.unwrap().is_none());
    assert_eq!(store.delete_expired_web_sessions(now).await.unwrap(), 1);
    assert_eq!(store.delete_expired_web_sessions(now).await.unwrap(), 0);
    assert!(store.web_session("live", now).await.unwrap().is_some());
    // An hour on, the live one has expired too.
    assert_eq!(store.delete_expired_web_sessions(later).await.unwrap(), 1);
}

#[tokio::test]
async fn expired_sessions_are_invisible_and_swept_on_sqlite() {
    expired_sessions_are_invisible_and_swept(&TestDb::sqlite().await.store).await;
}

#[tokio::test]
async fn expired_sessions_are_invisible_and_swept_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        expired_sessions_are_invisible_and_swept(&db.store).await;
    }
}
