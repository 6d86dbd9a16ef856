//! `DATABASE_READ_URL` (SPEC §10): analytics and dashboard lists read the replica; writes and
//! reads of one entity stay on the primary. The "replica" is a second database with the same
//! roles and different content, so every answer shows which database served it.

use crate::common::*;
use djcalls_domain::Actor;
use djcalls_store::calls::{CallFilter, CallPatch};
use djcalls_store::clicks::NewClick;
use djcalls_store::{Store, StoreOptions};
use djcalls_testkit::TestDb;

/// Primary: DJ 1 with one call. Replica: the same DJ with three other calls and a click.
struct Pair {
    primary: TestDb,
    replica: TestDb,
    /// A store on the primary that reads analytics and lists from the replica.
    store: Store,
}

async fn pair() -> Option<Pair> {
    let primary = TestDb::postgres().await?;
    let replica = primary.sibling().await;
    for db in [&primary, &replica] {
        create_profile(&db.store, profile(1), "alpha", "Alpha").await;
    }
    insert(
        &primary.store,
        answered(profile(1), "2026-03-01T10:00:00Z", 60),
    )
    .await;
    for when in [
        "2026-03-02T10:00:00Z",
        "2026-03-03T10:00:00Z",
        "2026-03-04T10:00:00Z",
    ] {
        insert(&replica.store, answered(profile(1), when, 60)).await;
    }
    let click = NewClick {
        utm_source: Some("replica".into()),
        ..NewClick::default()
    };
    assert!(
        replica
            .store
            .record_click(profile(1), &click, at("2026-03-04T09:55:00Z"))
            .await
            .unwrap()
    );
    let options = StoreOptions {
        read_url: Some(replica.url.clone()),
        ..primary.options.clone()
    };
    let store = Store::connect_with(&primary.url, &options).await.unwrap();
    Some(Pair {
        primary,
        replica,
        store,
    })
}

async fn list(store: &Store, actor: &Actor) -> Vec<uuid::Uuid> {
    store
        .list_calls(actor, &CallFilter::default(), None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.0)
        .collect()
}

#[tokio::test]
async fn analytics_and_lists_read_the_replica() {
    let Some(p) = pair().await else {
        return;
    };
    let on_replica = list(&p.replica.store, &admin()).await;
    assert_eq!(on_replica.len(), 3);
    assert_eq!(list(&p.store, &admin()).await, on_replica);
    // Row-level security holds on the replica too.
    assert_eq!(list(&p.store, &dj(&[profile(1)])).await, on_replica);
    assert!(list(&p.store, &dj(&[profile(2)])).await.is_empty());

    let all = range(None, None, None);
    let figures = analytics(&p.store, &admin(), Some(profile(1)), &all).await;
    assert_eq!(figures.total_calls, 3);
    let by_day = p.store.call_figures(&admin(), None, &all).await.unwrap();
    assert_eq!(by_day.days.len(), 3);
    let tops = p.store.top_djs(&admin(), &all, 10).await.unwrap();
    assert_eq!(tops.len(), 1);
    assert_eq!(tops[0].calls, 3);

    let clicks = p.store.clicks_of(&admin(), profile(1), 10).await.unwrap();
    assert_eq!(clicks.len(), 1);
    assert_eq!(clicks[0].utm_source.as_deref(), Some("replica"));
}

#[tokio::test]
async fn writes_and_read_after_write_stay_on_the_primary() {
    let Some(p) = pair().await else {
        return;
    };
    let primary_call = list(&p.primary.store, &admin()).await[0];
    let replica_call = list(&p.replica.store, &admin()).await[0];
    // One call by id is read-after-write: the primary's, never the replica's.
    let id = djcalls_domain::CallId(primary_call);
    assert!(p.store.call(&admin(), id).await.unwrap().is_some());
    let missing = djcalls_domain::CallId(replica_call);
    assert!(p.store.call(&admin(), missing).await.unwrap().is_none());

    // A patch lands on the primary, and reading the call back shows it at once.
    let patch = CallPatch {
        notes: Some(Some("asked about June".into())),
        ..CallPatch::default()
    };
    let patched = p
        .store
        .patch_call(&admin(), id, &patch, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(patched.notes.as_deref(), Some("asked about June"));
    let read_back = p.store.call(&admin(), id).await.unwrap().unwrap();
    assert_eq!(read_back.notes.as_deref(), Some("asked about June"));

    // A new call goes to the primary only.
    let added = insert(&p.store, answered(profile(1), "2026-03-05T10:00:00Z", 30)).await;
    let on_primary = list(&p.primary.store, &admin()).await;
    assert_eq!(on_primary.len(), 2);
    assert!(on_primary.contains(&added.id.0));
    assert!(!list(&p.replica.store, &admin()).await.contains(&added.id.0));
    // A click, too.
    let click = NewClick::default();
    assert!(
        p.store
            .record_click(profile(1), &click, at("2026-03-05T09:58:00Z"))
            .await
            .unwrap()
    );
    let clicks = p.primary.store.clicks_of(&admin(), profile(1), 10).await;
    assert_eq!(clicks.unwrap().len(), 1);
}
