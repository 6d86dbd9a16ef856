//! Releasing and purchasing: only owned unassigned numbers are released; purchases are capped.

use crate::support::*;
use djcalls_store::numbers::{BoughtNumber, Claim, ReleaseStart, Reservation};
use djcalls_testkit::TestDb;

djcalls_testkit::on_both_backends! { &TestDb:
    only_owned_unassigned_numbers_are_released => only_owned_unassigned_numbers_are_released;
    purchases_are_capped_and_one_per_dj => purchases_are_capped_and_one_per_dj;
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
