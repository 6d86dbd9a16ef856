//! Claiming numbers: area codes, an empty pool, one per DJ, cooling, call-flow lookup, the batch.

use crate::support::*;
use djcalls_domain::DjProfileId;
use djcalls_store::numbers::{Claim, NumberState};
use djcalls_testkit::TestDb;
use std::collections::HashSet;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    claims_prefer_the_area_code => claims_prefer_the_area_code;
    an_empty_pool_says_so => an_empty_pool_says_so;
    a_dj_keeps_one_number => a_dj_keeps_one_number;
    released_numbers_cool_before_reuse => released_numbers_cool_before_reuse;
    the_call_flow_finds_active_numbers_only => the_call_flow_finds_active_numbers_only;
    public_numbers_come_in_one_batch => public_numbers_come_in_one_batch;
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
