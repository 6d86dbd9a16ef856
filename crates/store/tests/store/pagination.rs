//! Story 3: keyset pagination stays exact while calls keep arriving between page fetches.

use crate::common::*;
use djcalls_domain::{Actor, CallId};
use djcalls_store::DbTime;
use djcalls_store::calls::{CallCursor, CallFilter};
use djcalls_testkit::TestDb;
use jiff::SignedDuration;
use std::collections::BTreeSet;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    paging_returns_every_existing_call_exactly_once_while_new_calls_arrive => paging_under_inserts;
}

const PAGE: u32 = 7;

async fn paging_under_inserts(db: &TestDb) {
    let store = &db.store;
    let (p, q) = (profile(1), profile(2));
    create_profile(store, p, "pager", "Pager").await;
    create_profile(store, q, "quiet", "Quiet").await;
    let mut rng = Rng::new(0x5eed_0003);
    let base = ts("2026-05-01T12:00:00Z");
    let minutes = |n: i64| DbTime(base.checked_add(SignedDuration::from_mins(n)).unwrap());

    // 25 calls of P in groups of three sharing one timestamp (so page boundaries fall
    // inside groups and the id tie-break matters), with random ids; Q's calls interleave.
    let mut initial: Vec<(DbTime, Uuid)> = Vec::new();
    for i in 0..25 {
        let id = rng.uuid();
        let at = minutes(i / 3);
        store
            .insert_call(
                &Actor::Service,
                &djcalls_store::calls::NewCall {
                    id: CallId(id),
                    timestamp: at,
                    ..call(p, "2026-01-01T00:00:00Z")
                },
                now(),
            )
            .await
            .unwrap();
        initial.push((at, id));
        if i % 5 == 0 {
            store
                .insert_call(
                    &Actor::Service,
                    &djcalls_store::calls::NewCall {
                        id: CallId(rng.uuid()),
                        timestamp: at,
                        ..call(q, "2026-01-01T00:00:00Z")
                    },
                    now(),
                )
                .await
                .unwrap();
        }
    }

    let owner = dj(&[p]);
    let filter = CallFilter {
        profile: Some(p),
        ..CallFilter::default()
    };
    let mut seen: Vec<(DbTime, Uuid)> = Vec::new();
    let mut behind: Vec<(DbTime, Uuid)> = Vec::new(); // inserted after the cursor: must come
    let mut ahead: Vec<(DbTime, Uuid)> = Vec::new(); // inserted before the cursor: must not
    let mut cursor: Option<CallCursor> = None;
    for page_no in 0..50i64 {
        let page = store
            .list_calls(&owner, &filter, cursor, PAGE)
            .await
            .unwrap();
        assert!(page.len() <= PAGE as usize);
        for row in &page {
            assert_eq!(
                row.dj_profile_id, p,
                "another DJ's call leaked into the list"
            );
            seen.push((row.timestamp, row.id.0));
        }
        let Some(last) = page.last() else { break };
        let here = CallCursor {
            timestamp: last.timestamp,
            id: last.id.0,
        };
        cursor = Some(here);

        // Between fetches (for the first few pages): a newer call, an older call, and two
        // calls at the cursor's own timestamp with ids just above and just below its id.
        if page_no < 3 {
            let newer = (minutes(1_000 + page_no), rng.uuid());
            let older = (minutes(-1_000 - page_no), rng.uuid());
            let below = (here.timestamp, Uuid::from_u128(here.id.as_u128() - 1));
            let above = (here.timestamp, Uuid::from_u128(here.id.as_u128() + 1));
            for (at, id) in [newer, older, below, above] {
                store
                    .insert_call(
                        &Actor::Service,
                        &djcalls_store::calls::NewCall {
                            id: CallId(id),
                            timestamp: at,
                            ..call(p, "2026-01-01T00:00:00Z")
                        },
                        now(),
                    )
                    .await
                    .unwrap();
            }
            ahead.extend([newer, above]);
            behind.extend([older, below]);
        }
    }

    // Newest first, ties by id descending, strictly: no row twice.
    for pair in seen.windows(2) {
        assert!(pair[0] > pair[1], "out of order or repeated: {pair:?}");
    }
    let seen_set: BTreeSet<_> = seen.iter().copied().collect();
    assert_eq!(seen_set.len(), seen.len());
    for row in &initial {
        assert!(seen_set.contains(row), "existing call {row:?} was skipped");
    }
    for row in &behind {
        assert!(
            seen_set.contains(row),
            "call {row:?} added behind the cursor was skipped"
        );
    }
    for row in &ahead {
        assert!(
            !seen_set.contains(row),
            "call {row:?} added ahead of the cursor came back"
        );
    }
    let mut expected: Vec<_> = initial.iter().chain(&behind).copied().collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, expected);

    // A fresh first page starts at the newest call added meanwhile.
    let first = store.list_calls(&owner, &filter, None, PAGE).await.unwrap();
    assert_eq!(
        (first[0].timestamp, first[0].id.0),
        *ahead.iter().max().unwrap()
    );

    // Platform-wide, the admin pages through P's and Q's calls alike.
    let mut all = 0;
    let mut cursor = None;
    loop {
        let page = store
            .list_calls(&admin(), &CallFilter::default(), cursor, 10)
            .await
            .unwrap();
        all += page.len();
        let Some(last) = page.last() else { break };
        cursor = Some(CallCursor {
            timestamp: last.timestamp,
            id: last.id.0,
        });
    }
    assert_eq!(all, 25 + 3 * 4 + 5);
}
