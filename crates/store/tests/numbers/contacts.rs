//! Contacts made by the voice pipeline: the caller of a new call becomes a contact of the DJ in
//! the same statement as the call row (PostgreSQL's projection of accepted `incoming`
//! deliveries, many at once or one) or transaction (the general path), once per DJ and number;
//! a withheld number makes none.

use crate::support::*;
use djcalls_domain::voice::{LegStatus, VoiceEvent};
use djcalls_domain::{Actor, DjProfileId};
use djcalls_store::Store;
use djcalls_store::contacts::ContactFilter;
use djcalls_testkit::TestDb;

djcalls_testkit::on_both_backends! { &TestDb:
    a_callers_first_call_makes_their_contact_and_later_calls_find_it => first_call_makes_contact;
    concurrent_calls_from_one_caller_make_one_contact => concurrent_calls_one_contact;
    a_withheld_number_makes_no_contact => withheld_number_no_contact;
}

fn incoming(to: &str, caller: Option<&str>, name: Option<&str>) -> VoiceEvent {
    VoiceEvent::Incoming {
        caller: caller.map(str::to_string),
        virtual_number: to.into(),
        caller_name: name.map(str::to_string),
    }
}

fn sid(n: usize) -> String {
    format!("CA{n:032x}")
}

async fn setup(store: &Store, djs: u128) -> (Vec<DjProfileId>, Vec<String>) {
    let ids = create_profiles(store, djs).await;
    let pool: Vec<String> = (0..djs)
        .map(|i| format!("+1212555{:04}", 200 + i))
        .collect();
    stock(store, &pool.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let mut numbers = Vec::new();
    for (i, dj) in ids.iter().enumerate() {
        let claim = store
            .claim_pool_number(
                &SYSTEM,
                *dj,
                &format!("+1415555{:04}", 300 + i),
                None,
                now(),
            )
            .await
            .unwrap();
        numbers.push(assigned(claim).virtual_number);
    }
    (ids, numbers)
}

async fn contacts_of(
    store: &Store,
    dj: DjProfileId,
) -> Vec<djcalls_store::contacts::ContactRecord> {
    let filter = ContactFilter {
        profile: Some(dj),
        ..ContactFilter::default()
    };
    store
        .list_contacts(&Actor::Service, &filter, None, 100)
        .await
        .unwrap()
}

async fn first_call_makes_contact(db: &TestDb) {
    let store = &db.store;
    let (djs, numbers) = setup(store, 2).await;
    let caller = Some("+13125550123");

    let first = record_incoming_projected(
        store,
        &sid(1),
        "in:1",
        &incoming(&numbers[0], caller, None),
        now(),
    )
    .await;
    let made = first.contact.expect("the caller became a contact");
    assert!(made.created);
    assert_eq!(made.dj_profile_id, djs[0]);

    // The call's next delivery (general path) finds the same contact and names it.
    let later_event = VoiceEvent::Status {
        status: LegStatus::Completed,
        duration_secs: Some(30),
    };
    let update = store
        .record_voice_event(&sid(1), "status:1", &later_event, now())
        .await
        .unwrap();
    assert_eq!(
        update.contact.map(|c| (c.contact_id, c.created)),
        Some((made.contact_id, false))
    );

    // A second call from the same number to the same DJ: the same contact, not a new one.
    let second = record_incoming_projected(
        store,
        &sid(2),
        "in:2",
        &incoming(&numbers[0], caller, Some("PAT CALLER")),
        later(now(), 1),
    )
    .await;
    assert_eq!(
        second.contact.map(|c| (c.contact_id, c.created)),
        Some((made.contact_id, false))
    );

    // The same number calling another DJ is that DJ's contact.
    let other = record_incoming_projected(
        store,
        &sid(3),
        "in:3",
        &incoming(&numbers[1], caller, None),
        now(),
    )
    .await;
    let other = other.contact.expect("a contact of the second DJ");
    assert!(other.created);
    assert_ne!(other.contact_id, made.contact_id);

    let mine = contacts_of(store, djs[0]).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, made.contact_id);
    assert_eq!(mine[0].phone, "+13125550123");
    assert_eq!(mine[0].calls_count, 2);
    assert_eq!(mine[0].first_call_at, Some(now()));
    assert_eq!(mine[0].last_call_at, Some(later(now(), 1)));
    assert_eq!(contacts_of(store, djs[1]).await.len(), 1);
}

async fn concurrent_calls_one_contact(db: &TestDb) {
    let store = &db.store;
    let (djs, numbers) = setup(store, 1).await;
    let record = |i: usize| {
        let event = incoming(&numbers[0], Some("+13125550177"), None);
        async move {
            store
                .record_incoming(&sid(100 + i), &format!("in:{i}"), &event, now(), |_, _| {
                    None
                })
                .await
                .unwrap()
        }
    };
    let answers = futures::future::join_all((0..12).map(record)).await;
    let projected = project_all(store).await;
    let answers: Vec<_> = answers
        .into_iter()
        .enumerate()
        .map(|(i, a)| as_projected(a, &sid(100 + i), &projected))
        .collect();
    let made: Vec<_> = answers.iter().filter_map(|a| a.contact).collect();
    assert_eq!(made.len(), 12, "every call found its contact");
    assert_eq!(made.iter().filter(|c| c.created).count(), 1, "{made:?}");
    assert!(made.iter().all(|c| c.contact_id == made[0].contact_id));
    let contacts = contacts_of(store, djs[0]).await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].calls_count, 12);
}

async fn withheld_number_no_contact(db: &TestDb) {
    let store = &db.store;
    let (djs, numbers) = setup(store, 1).await;
    let recorded = record_incoming_projected(
        store,
        &sid(7),
        "in:7",
        &incoming(&numbers[0], None, None),
        now(),
    )
    .await;
    assert!(recorded.call.is_some(), "the call itself is recorded");
    assert!(recorded.contact.is_none());
    assert!(contacts_of(store, djs[0]).await.is_empty());
}
