//! Concurrent claims and reservations, and row-level security on PostgreSQL.

use crate::support::*;
use djcalls_domain::{Actor, UserId};
use djcalls_store::numbers::{Claim, Reservation};
use djcalls_testkit::TestDb;
use std::collections::HashSet;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    concurrent_claims_never_share_a_number => concurrent_claims_never_share_a_number;
    concurrent_claims_for_one_dj_give_one_number => concurrent_claims_for_one_dj_give_one_number;
    concurrent_reservations_respect_the_cap => concurrent_reservations_respect_the_cap;
}

async fn concurrent_claims_never_share_a_number(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 12).await;
    let pool: Vec<String> = (0..10).map(|n| format!("+1415555{:04}", 100 + n)).collect();
    let refs: Vec<&str> = pool.iter().map(String::as_str).collect();
    stock(store, &refs).await;
    let tasks: Vec<_> = djs
        .iter()
        .map(|dj| {
            let (store, dj) = (store.clone(), *dj);
            tokio::spawn(async move {
                store
                    .claim_pool_number(&SYSTEM, dj, "+14155550001", Some("415"), now())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut numbers = HashSet::new();
    let mut empty = 0;
    for task in tasks {
        match task.await.unwrap() {
            Claim::Assigned(n) => assert!(numbers.insert(n.virtual_number), "a number twice"),
            Claim::Empty => empty += 1,
            Claim::Existing(n) => panic!("no DJ asked twice: {n:?}"),
        }
    }
    assert_eq!(numbers.len(), 10);
    assert_eq!(empty, 2);
}

async fn concurrent_claims_for_one_dj_give_one_number(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 1).await;
    stock(
        store,
        &[
            "+14155550101",
            "+14155550102",
            "+14155550103",
            "+14155550104",
        ],
    )
    .await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let dj = djs[0];
            tokio::spawn(async move {
                store
                    .claim_pool_number(&SYSTEM, dj, "+14155550001", Some("415"), now())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut ids = HashSet::new();
    let mut fresh = 0;
    for task in tasks {
        match task.await.unwrap() {
            Claim::Assigned(n) => {
                fresh += 1;
                ids.insert(n.id);
            }
            Claim::Existing(n) => {
                ids.insert(n.id);
            }
            Claim::Empty => panic!("the pool had numbers"),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(ids.len(), 1);
    let pool = store.pool_numbers(&SYSTEM).await.unwrap();
    assert_eq!(pool.iter().filter(|n| n.state == "assigned").count(), 1);
}

async fn concurrent_reservations_respect_the_cap(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 10).await;
    // Ten DJs, each asking three times at once, under a cap of four.
    let tasks: Vec<_> = djs
        .iter()
        .flat_map(|dj| std::iter::repeat_n(*dj, 3))
        .map(|dj| {
            let store = store.clone();
            tokio::spawn(async move {
                let r = store
                    .reserve_purchase(&SYSTEM, dj, "415", 4, now())
                    .await
                    .unwrap();
                (dj, r)
            })
        })
        .collect();
    let mut reserved = Vec::new();
    for task in tasks {
        let (dj, r) = task.await.unwrap();
        match r {
            Reservation::Reserved(_) => reserved.push(dj),
            Reservation::InFlight | Reservation::CapReached => {}
            Reservation::Assigned(n) => panic!("nobody has a number: {n:?}"),
        }
    }
    assert_eq!(reserved.len(), 4);
    let distinct: HashSet<_> = reserved.iter().collect();
    assert_eq!(distinct.len(), 4, "one purchase per DJ");
    assert_eq!(store.purchase_count(&SYSTEM).await.unwrap(), 4);
}

/// Row-level security: a DJ reaches their own number and none of the pool.
#[tokio::test]
async fn a_dj_sees_only_their_own_number_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = &db.store;
    let djs = create_profiles(store, 2).await;
    stock(store, &["+14155550101", "+14155550102", "+14155550103"]).await;
    for dj in &djs {
        assigned(
            store
                .claim_pool_number(&SYSTEM, *dj, "+14155550001", Some("415"), now())
                .await
                .unwrap(),
        );
    }
    let dj = Actor::Dj {
        user: UserId(Uuid::from_u128(5)),
        profiles: vec![djs[0]],
    };
    let visible = store.pool_numbers(&dj).await.unwrap();
    assert_eq!(visible.len(), 1);
    assert_eq!(visible[0].dj(), Some(djs[0]));
    assert!(store.assigned_number(&dj, djs[1]).await.unwrap().is_none());
    assert!(store.assigned_number(&dj, djs[0]).await.unwrap().is_some());
    // Nor can a DJ touch another DJ's number.
    assert!(
        store
            .release_to_cooling(&dj, djs[1], later(now(), 30), now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .assigned_number(&SYSTEM, djs[1])
            .await
            .unwrap()
            .is_some()
    );
}
