//! Which DJ had which number since an instant (reconciliation of Twilio's call log): assigned
//! numbers, and cooling ones released since then, each with its span; numbers released before
//! it or given back to Twilio are left out.

use crate::support::*;
use djcalls_store::DbTime;
use djcalls_store::numbers::ReleaseStart;
use djcalls_testkit::TestDb;
use jiff::SignedDuration;

djcalls_testkit::on_both_backends! { &TestDb:
    tenures_since_an_instant_span_each_djs_time_with_a_number => tenures_since_an_instant_span_each_djs_time_with_a_number;
}

fn hours(t: DbTime, h: i64) -> DbTime {
    DbTime(t.0.checked_add(SignedDuration::from_hours(h)).unwrap())
}

async fn tenures_since_an_instant_span_each_djs_time_with_a_number(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 4).await;
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
    let t0 = now();
    let mut numbers = Vec::new();
    for dj in &djs {
        let n = assigned(
            store
                .claim_pool_number(&SYSTEM, *dj, "+14155550001", Some("415"), t0)
                .await
                .unwrap(),
        );
        numbers.push(n.virtual_number);
    }
    // DJ 2 lets go after a day, DJ 3 after six hours; DJ 4's number goes back to Twilio.
    let cooling = later(t0, 30);
    store
        .release_to_cooling(&SYSTEM, djs[1], cooling, hours(t0, 24))
        .await
        .unwrap();
    store
        .release_to_cooling(&SYSTEM, djs[2], cooling, hours(t0, 6))
        .await
        .unwrap();
    store
        .release_to_cooling(&SYSTEM, djs[3], cooling, hours(t0, 20))
        .await
        .unwrap();
    let given_back = store
        .begin_release(&SYSTEM, &numbers[3], hours(t0, 21))
        .await
        .unwrap();
    assert!(matches!(given_back, ReleaseStart::Releasing { .. }));

    let since = hours(t0, 12);
    let tenures = store.number_tenures_since(since).await.unwrap();
    let got: Vec<_> = tenures
        .iter()
        .map(|t| (t.dj_profile_id, t.virtual_number.as_str(), t.released_at))
        .collect();
    let mut expected = vec![
        (djs[0], numbers[0].as_str(), None),
        (djs[1], numbers[1].as_str(), Some(hours(t0, 24))),
    ];
    expected.sort_by_key(|(_, number, _)| *number);
    assert_eq!(got, expected);
    assert!(tenures.iter().all(|t| t.assigned_at == t0));

    let still = tenures.iter().find(|t| t.dj_profile_id == djs[0]).unwrap();
    assert!(still.covers(hours(t0, 100)));
    assert!(!still.covers(hours(t0, -1)), "before the assignment");
    let ended = tenures.iter().find(|t| t.dj_profile_id == djs[1]).unwrap();
    assert!(ended.covers(hours(t0, 23)));
    assert!(!ended.covers(hours(t0, 24)), "from the release on");
}
