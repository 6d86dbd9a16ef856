//! Rate-limit counters on both backends: one atomic upsert per hit (concurrent hits each see a
//! distinct count), a new window once the old one is over, hits taken back, keys cleared,
//! finished windows pruned.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_store::limits::{RateCount, RateHit};
use djcalls_store::{DbTime, Store};
use djcalls_testkit::{TestDb, on_both_backends};
use jiff::{SignedDuration, Timestamp};

fn at(s: &str) -> DbTime {
    DbTime(s.parse::<Timestamp>().unwrap())
}

fn minus(t: DbTime, minutes: i64) -> DbTime {
    DbTime(t.0.checked_sub(SignedDuration::from_mins(minutes)).unwrap())
}

/// One hit on `key` at `now` under a 15-minute window.
async fn hit(store: &Store, key: &str, now: DbTime) -> RateCount {
    let hits = [RateHit {
        key,
        ended_by: minus(now, 15),
    }];
    store.hit_rate_limits(&hits, now).await.unwrap().remove(0)
}

async fn windows_count_restart_and_are_pruned(db: &TestDb) {
    let store = &db.store;
    let start = at("2026-06-15T12:00:00Z");
    let count = hit(store, "k", start).await;
    assert_eq!(count.hits, 1);
    assert_eq!(count.window_started_at, start);
    let later = at("2026-06-15T12:10:00Z");
    let count = hit(store, "k", later).await;
    assert_eq!((count.hits, count.window_started_at), (2, start));

    // Several keys in one call, in the order given.
    let counts = store
        .hit_rate_limits(
            &[
                RateHit {
                    key: "other",
                    ended_by: minus(later, 15),
                },
                RateHit {
                    key: "k",
                    ended_by: minus(later, 15),
                },
            ],
            later,
        )
        .await
        .unwrap();
    assert_eq!(
        counts.iter().map(|c| c.hits).collect::<Vec<_>>(),
        vec![1, 3]
    );

    // Taken back, never below zero.
    store.take_back_rate_hit("k").await.unwrap();
    assert_eq!(hit(store, "k", later).await.hits, 3);
    store.take_back_rate_hit("no-such-key").await.unwrap();

    // Fifteen minutes after its start the window is over: the next hit starts a new one.
    let next = at("2026-06-15T12:15:00Z");
    let count = hit(store, "k", next).await;
    assert_eq!((count.hits, count.window_started_at), (1, next));

    // Cleared: counting starts again.
    store.clear_rate_limit("k").await.unwrap();
    assert_eq!(hit(store, "k", next).await.hits, 1);

    // Pruning removes the windows that started before the cut ("other" at 12:10), not "k".
    assert_eq!(store.prune_rate_limits(next).await.unwrap(), 1);
    assert_eq!(store.prune_rate_limits(next).await.unwrap(), 0);
    assert_eq!(hit(store, "k", next).await.hits, 2);
}

async fn concurrent_hits_each_see_a_distinct_count(db: &TestDb) {
    let now = at("2026-06-15T12:00:00Z");
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { hit(&store, "busy", now).await.hits })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=24).collect::<Vec<i64>>());
}

on_both_backends! { &TestDb:
    windows_count_restart_and_are_pruned => windows_count_restart_and_are_pruned;
    concurrent_hits => concurrent_hits_each_see_a_distinct_count;
}
