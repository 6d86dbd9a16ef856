//! The virtual-number pool in the store, on SQLite and (when a server answers) PostgreSQL:
//! claims with area-code preference, cooling, release, purchase reservations, the call-flow
//! lookup, and races between concurrent claims.
#![allow(clippy::unwrap_used)]

use djcalls_domain::{Actor, DjProfileId, UserId};
use djcalls_store::numbers::{BoughtNumber, Claim, NumberState, ReleaseStart, Reservation};
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;
use uuid::Uuid;

/// Runs `story(&TestDb)` from two tests, `<name>::on_sqlite` and `<name>::on_postgres`.
macro_rules! on_both_backends {
    ($($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                let db = djcalls_testkit::TestDb::sqlite().await;
                super::$story(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(db) = djcalls_testkit::TestDb::postgres().await else {
                    return;
                };
                super::$story(&db).await;
            }
        }
    )+};
}

on_both_backends! {
    claims_prefer_the_area_code => claims_prefer_the_area_code;
    an_empty_pool_says_so => an_empty_pool_says_so;
    a_dj_keeps_one_number => a_dj_keeps_one_number;
    released_numbers_cool_before_reuse => released_numbers_cool_before_reuse;
    the_call_flow_finds_active_numbers_only => the_call_flow_finds_active_numbers_only;
    public_numbers_come_in_one_batch => public_numbers_come_in_one_batch;
    only_owned_unassigned_numbers_are_released => only_owned_unassigned_numbers_are_released;
    purchases_are_capped_and_one_per_dj => purchases_are_capped_and_one_per_dj;
    concurrent_claims_never_share_a_number => concurrent_claims_never_share_a_number;
    concurrent_claims_for_one_dj_give_one_number => concurrent_claims_for_one_dj_give_one_number;
    concurrent_reservations_respect_the_cap => concurrent_reservations_respect_the_cap;
}

fn ts(s: &str) -> DbTime {
    DbTime(s.parse::<Timestamp>().unwrap())
}

fn now() -> DbTime {
    ts("2026-06-15T12:00:00Z")
}

fn later(t: DbTime, days: i64) -> DbTime {
    DbTime(
        t.0.checked_add(SignedDuration::from_hours(24 * days))
            .unwrap(),
    )
}

fn profile(n: u128) -> DjProfileId {
    DjProfileId(Uuid::from_u128(0x0d1_5000_0000_0000_0000_0000_0000 + n))
}

const SYSTEM: Actor = Actor::System;

async fn create_profiles(store: &Store, count: u128) -> Vec<DjProfileId> {
    let mut ids = Vec::new();
    for n in 1..=count {
        let id = profile(n);
        let fields = ProfileFields {
            dj_name: format!("DJ {n}"),
            dj_slug: format!("dj-{n}"),
            is_published: true,
            timezone: "America/New_York".into(),
            real_phone_number: Some(format!("+1415555{n:04}")),
        };
        store
            .upsert_profile(&Actor::Service, id, &fields, now())
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

fn number(e164: &str) -> BoughtNumber {
    BoughtNumber {
        virtual_number: e164.to_string(),
        twilio_phone_number_sid: Some(format!("PN{}", Uuid::new_v4().simple())),
        area_code: Some(e164[2..5].to_string()),
    }
}

async fn stock(store: &Store, numbers: &[&str]) {
    let bought: Vec<BoughtNumber> = numbers.iter().map(|n| number(n)).collect();
    let added = store
        .add_pool_numbers(&SYSTEM, &bought, now())
        .await
        .unwrap();
    assert_eq!(added.len(), numbers.len());
    assert!(added.iter().all(|n| n.state == "available"));
}

fn assigned(claim: Claim) -> djcalls_store::numbers::NumberRecord {
    match claim {
        Claim::Assigned(n) => n,
        other => panic!("expected a new assignment, got {other:?}"),
    }
}

async fn claims_prefer_the_area_code(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 3).await;
    stock(store, &["+12125550101", "+14155550101", "+13125550101"]).await;
    let n = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[0], "+14155550001", Some("415"), now())
            .await
            .unwrap(),
    );
    assert_eq!(n.virtual_number, "+14155550101");
    assert_eq!(n.state, "assigned");
    assert!(n.is_active);
    assert_eq!(n.dj(), Some(djs[0]));
    assert_eq!(n.real_phone_number.as_deref(), Some("+14155550001"));
    assert_eq!(n.assigned_at, Some(now()));
    // No 415 left: any available number rather than none.
    let other = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[1], "+14155550002", Some("415"), now())
            .await
            .unwrap(),
    );
    assert_ne!(other.virtual_number, n.virtual_number);
    let third = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[2], "+13125550003", Some("312"), now())
            .await
            .unwrap(),
    );
    assert!(
        third.virtual_number == "+13125550101" || other.virtual_number == "+13125550101",
        "the 312 number went to the 312 DJ or was the only fallback"
    );
}

async fn an_empty_pool_says_so(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 1).await;
    assert_eq!(
        store
            .claim_pool_number(&SYSTEM, djs[0], "+14155550001", Some("415"), now())
            .await
            .unwrap(),
        Claim::Empty
    );
    assert!(
        store
            .assigned_number(&SYSTEM, djs[0])
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_dj_keeps_one_number(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 1).await;
    stock(store, &["+14155550101", "+14155550102"]).await;
    let first = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[0], "+14155550001", Some("415"), now())
            .await
            .unwrap(),
    );
    // Asking again answers the same number, now forwarding to the new real number.
    match store
        .claim_pool_number(&SYSTEM, djs[0], "+14155550009", Some("415"), now())
        .await
        .unwrap()
    {
        Claim::Existing(n) => {
            assert_eq!(n.id, first.id);
            assert_eq!(n.real_phone_number.as_deref(), Some("+14155550009"));
        }
        other => panic!("{other:?}"),
    }
    let pool = store.pool_numbers(&SYSTEM).await.unwrap();
    assert_eq!(pool.iter().filter(|n| n.state == "available").count(), 1);
}

async fn released_numbers_cool_before_reuse(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 2).await;
    stock(store, &["+14155550101"]).await;
    let n = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[0], "+14155550001", Some("415"), now())
            .await
            .unwrap(),
    );
    let until = later(now(), 30);
    let cooling = store
        .release_to_cooling(&SYSTEM, djs[0], until, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cooling.id, n.id);
    assert_eq!(cooling.state, "cooling");
    assert!(!cooling.is_active);
    assert_eq!(cooling.cooling_until, Some(until));
    assert_eq!(cooling.real_phone_number, None);
    assert_eq!(
        cooling.effective_state(later(now(), 29)),
        NumberState::Cooling
    );
    assert_eq!(cooling.effective_state(until), NumberState::Available);
    assert!(
        store
            .assigned_number(&SYSTEM, djs[0])
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .active_number_by_virtual(&n.virtual_number)
            .await
            .unwrap()
            .is_none()
    );
    // Releasing again finds nothing to release.
    assert!(
        store
            .release_to_cooling(&SYSTEM, djs[0], until, now())
            .await
            .unwrap()
            .is_none()
    );
    // Still resting a day before the end: nobody gets it.
    assert_eq!(
        store
            .claim_pool_number(
                &SYSTEM,
                djs[1],
                "+14155550002",
                Some("415"),
                later(now(), 29)
            )
            .await
            .unwrap(),
        Claim::Empty
    );
    // Rested: available again, to anyone.
    let reused = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[1], "+14155550002", Some("415"), until)
            .await
            .unwrap(),
    );
    assert_eq!(reused.id, n.id);
    assert_eq!(reused.dj(), Some(djs[1]));
    assert_eq!(reused.cooling_until, None);
    assert_eq!(reused.released_at, None);
}

async fn the_call_flow_finds_active_numbers_only(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 1).await;
    stock(store, &["+14155550101", "+14155550102"]).await;
    assigned(
        store
            .claim_pool_number(&SYSTEM, djs[0], "+14155550001", Some("415"), now())
            .await
            .unwrap(),
    );
    let found = store
        .active_number_by_virtual("+14155550101")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.dj_profile_id, djs[0]);
    assert_eq!(found.virtual_number, "+14155550101");
    assert_eq!(found.real_phone_number, "+14155550001");
    assert_eq!(found.dj_name, "DJ 1");
    assert_eq!(found.dj_slug, "dj-1");
    // A pool number nobody has, and a number we do not know.
    assert!(
        store
            .active_number_by_virtual("+14155550102")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .active_number_by_virtual("+19995550000")
            .await
            .unwrap()
            .is_none()
    );
    // A new forwarding number is followed at once.
    store
        .set_real_number(&SYSTEM, djs[0], "+14155550077", now())
        .await
        .unwrap();
    let found = store
        .active_number_by_virtual("+14155550101")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.real_phone_number, "+14155550077");
    let profile = store.profile(&SYSTEM, djs[0]).await.unwrap().unwrap();
    assert_eq!(profile.real_phone_number.as_deref(), Some("+14155550077"));
}

async fn public_numbers_come_in_one_batch(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 4).await;
    stock(store, &["+14155550101", "+14155550102", "+14155550103"]).await;
    for dj in &djs[..3] {
        assigned(
            store
                .claim_pool_number(&SYSTEM, *dj, "+14155550001", Some("415"), now())
                .await
                .unwrap(),
        );
    }
    store
        .release_to_cooling(&SYSTEM, djs[2], later(now(), 30), now())
        .await
        .unwrap()
        .unwrap();
    let unknown = DjProfileId(Uuid::from_u128(77));
    let found = store
        .public_numbers(&[djs[0], djs[1], djs[2], djs[3], unknown])
        .await
        .unwrap();
    let found_djs: HashSet<DjProfileId> = found.iter().map(|(dj, _)| *dj).collect();
    assert_eq!(found_djs, HashSet::from([djs[0], djs[1]]));
    assert!(store.public_numbers(&[]).await.unwrap().is_empty());
    // Fifty ids in one statement.
    let many: Vec<DjProfileId> = (0..50).map(|n| DjProfileId(Uuid::from_u128(n))).collect();
    assert!(store.public_numbers(&many).await.unwrap().is_empty());
}

async fn only_owned_unassigned_numbers_are_released(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 1).await;
    stock(store, &["+14155550101", "+14155550102"]).await;
    let unowned = BoughtNumber {
        virtual_number: "+14155550103".into(),
        twilio_phone_number_sid: None,
        area_code: Some("415".into()),
    };
    store
        .add_pool_numbers(&SYSTEM, &[unowned], now())
        .await
        .unwrap();
    let n = assigned(
        store
            .claim_pool_number(&SYSTEM, djs[0], "+14155550001", Some("415"), now())
            .await
            .unwrap(),
    );
    assert_eq!(
        store
            .begin_release(&SYSTEM, &n.virtual_number, now())
            .await
            .unwrap(),
        ReleaseStart::Assigned
    );
    assert_eq!(
        store
            .begin_release(&SYSTEM, "+14155550103", now())
            .await
            .unwrap(),
        ReleaseStart::NotOwned
    );
    assert_eq!(
        store
            .begin_release(&SYSTEM, "+19995550000", now())
            .await
            .unwrap(),
        ReleaseStart::NotFound
    );
    let free = if n.virtual_number == "+14155550101" {
        "+14155550102"
    } else {
        "+14155550101"
    };
    let ReleaseStart::Releasing { before, after } =
        store.begin_release(&SYSTEM, free, now()).await.unwrap()
    else {
        panic!("expected a release to start");
    };
    assert_eq!(before.state, "available");
    assert_eq!(after.state, "released");
    // Twilio said no: it is back in the pool.
    store.undo_release(&SYSTEM, &before, now()).await.unwrap();
    let back = store
        .number_by_virtual(&SYSTEM, free)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.state, "available");
    // Released for good: never claimed again, and releasing twice is harmless.
    assert!(matches!(
        store.begin_release(&SYSTEM, free, now()).await.unwrap(),
        ReleaseStart::Releasing { .. }
    ));
    assert!(matches!(
        store.begin_release(&SYSTEM, free, now()).await.unwrap(),
        ReleaseStart::AlreadyReleased(_)
    ));
    let dj2 = create_profiles(store, 2).await[1];
    match store
        .claim_pool_number(&SYSTEM, dj2, "+14155550002", Some("415"), now())
        .await
        .unwrap()
    {
        Claim::Assigned(n) => assert_eq!(n.virtual_number, "+14155550103"),
        other => panic!("{other:?}"),
    }
    // The same number bought again later reuses its released row.
    let again = store
        .add_pool_numbers(&SYSTEM, &[number(free)], now())
        .await
        .unwrap();
    assert_eq!(again[0].state, "available");
    assert_eq!(again[0].released_at, None);
}

async fn purchases_are_capped_and_one_per_dj(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 3).await;
    let Reservation::Reserved(first) = store
        .reserve_purchase(&SYSTEM, djs[0], "415", 2, now())
        .await
        .unwrap()
    else {
        panic!("expected a reservation");
    };
    // One purchase in flight per DJ.
    assert_eq!(
        store
            .reserve_purchase(&SYSTEM, djs[0], "415", 2, now())
            .await
            .unwrap(),
        Reservation::InFlight
    );
    // A failed purchase does not count.
    let Reservation::Reserved(second) = store
        .reserve_purchase(&SYSTEM, djs[1], "415", 2, now())
        .await
        .unwrap()
    else {
        panic!("expected a reservation");
    };
    store.fail_purchase(&SYSTEM, second, now()).await.unwrap();
    assert_eq!(store.purchase_count(&SYSTEM).await.unwrap(), 1);
    let done = store
        .complete_purchase(
            &SYSTEM,
            first,
            djs[0],
            "+14155550001",
            &number("+14155550150"),
            now(),
        )
        .await
        .unwrap();
    let n = assigned(done);
    assert_eq!(n.dj(), Some(djs[0]));
    assert!(matches!(
        store
            .reserve_purchase(&SYSTEM, djs[0], "415", 2, now())
            .await
            .unwrap(),
        Reservation::Assigned(_)
    ));
    let Reservation::Reserved(third) = store
        .reserve_purchase(&SYSTEM, djs[1], "415", 2, now())
        .await
        .unwrap()
    else {
        panic!("expected a reservation");
    };
    assert_eq!(
        store
            .reserve_purchase(&SYSTEM, djs[2], "415", 2, now())
            .await
            .unwrap(),
        Reservation::CapReached
    );
    // A purchase whose process died long ago still counts, but no longer blocks its DJ.
    let much_later = later(now(), 1);
    assert_eq!(
        store
            .reserve_purchase(&SYSTEM, djs[1], "415", 2, much_later)
            .await
            .unwrap(),
        Reservation::CapReached,
        "{third} was abandoned but still counts"
    );
    assert!(matches!(
        store
            .reserve_purchase(&SYSTEM, djs[1], "415", 3, much_later)
            .await
            .unwrap(),
        Reservation::Reserved(_)
    ));
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
