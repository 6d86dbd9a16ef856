//! Contacts: made with the call that first comes from a number (per DJ), their figures derived
//! from the calls, payments and opt-outs at read time, isolated per DJ, paged stably, and made
//! for the calls of a database migrated from before contacts existed.

use crate::common::*;
use djcalls_domain::{Actor, CallId, ContactId, DjProfileId};
use djcalls_store::calls::NewCall;
use djcalls_store::contacts::{ContactCursor, ContactFilter, ContactRecord};
use djcalls_store::{Backend, DbTime, Store};
use djcalls_testkit::TestDb;
use jiff::SignedDuration;
use std::collections::BTreeSet;

djcalls_testkit::on_both_backends! { &TestDb:
    a_logged_call_makes_a_contact_and_the_next_one_updates_it => calls_make_and_update_contacts;
    payments_and_refunds_change_what_a_contact_paid => payments_and_refunds;
    an_opt_out_shows_on_every_djs_contact_with_that_number => opt_outs;
    a_dj_sees_only_their_own_contacts => isolation;
    paging_returns_every_contact_once_while_calls_and_contacts_arrive => paging_under_inserts;
    contacts_filter_by_last_call_and_number => filters;
}

const CALLER: &str = "+13125550123";

fn from(caller: Option<&str>, call: NewCall) -> NewCall {
    NewCall {
        caller_number: caller.map(str::to_string),
        ..call
    }
}

async fn log(store: &Store, call: NewCall) -> (CallId, Option<ContactId>) {
    let (record, contact) = store
        .insert_call_and_contact(&Actor::Service, &call, now())
        .await
        .unwrap();
    (record.id, contact.map(|c| c.contact_id))
}

async fn list(store: &Store, actor: &Actor, filter: &ContactFilter) -> Vec<ContactRecord> {
    store
        .list_contacts(actor, filter, None, 1000)
        .await
        .unwrap()
}

fn of(profile: DjProfileId) -> ContactFilter {
    ContactFilter {
        profile: Some(profile),
        ..ContactFilter::default()
    }
}

async fn calls_make_and_update_contacts(db: &TestDb) {
    let store = &db.store;
    let (p, q) = (profile(1), profile(2));
    create_profile(store, p, "one", "One").await;
    create_profile(store, q, "two", "Two").await;

    let (_, first) = log(
        store,
        NewCall {
            caller_name: Some("Pat".into()),
            ..call(p, "2026-06-01T10:00:00Z")
        },
    )
    .await;
    let first = first.expect("a contact");
    let contacts = list(store, &Actor::Service, &of(p)).await;
    assert_eq!(contacts.len(), 1);
    let c = &contacts[0];
    assert_eq!(
        (c.id, c.dj_profile_id, c.phone.as_str()),
        (first, p, CALLER)
    );
    assert_eq!(c.name.as_deref(), Some("Pat"));
    assert_eq!((c.calls_count, c.answered_count), (1, 0));
    assert_eq!(c.first_call_at, Some(at("2026-06-01T10:00:00Z")));
    assert_eq!(c.last_call_at, Some(at("2026-06-01T10:00:00Z")));
    assert_eq!(c.latest_event_type, None);
    assert!(!c.opted_out);

    let (_, again) = log(
        store,
        NewCall {
            event_type: Some("wedding".into()),
            ..answered(p, "2026-06-03T10:00:00Z", 60)
        },
    )
    .await;
    assert_eq!(again, Some(first), "the same number is the same contact");
    let c = store
        .contact(&Actor::Service, first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.calls_count, c.answered_count), (2, 1));
    assert_eq!(c.first_call_at, Some(at("2026-06-01T10:00:00Z")));
    assert_eq!(c.last_call_at, Some(at("2026-06-03T10:00:00Z")));
    assert_eq!(c.latest_event_type.as_deref(), Some("wedding"));
    assert_eq!(c.name.as_deref(), Some("Pat"));

    // One number calling two DJs: two contacts.
    let (_, theirs) = log(store, call(q, "2026-06-02T10:00:00Z")).await;
    assert_ne!(theirs, Some(first));
    assert_eq!(
        list(store, &Actor::Service, &ContactFilter::default())
            .await
            .len(),
        2
    );

    // No number, no contact; the call is still logged.
    let (withheld, none) = log(store, from(None, call(p, "2026-06-04T10:00:00Z"))).await;
    assert_eq!(none, None);
    assert!(
        store
            .call(&Actor::Service, withheld)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(list(store, &Actor::Service, &of(p)).await.len(), 1);

    let history = store
        .calls_from(&Actor::Service, p, CALLER, 10)
        .await
        .unwrap();
    let times: Vec<DbTime> = history.iter().map(|c| c.timestamp).collect();
    assert_eq!(
        times,
        [at("2026-06-03T10:00:00Z"), at("2026-06-01T10:00:00Z")]
    );
}

async fn payments_and_refunds(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "one", "One").await;
    let a = insert(store, answered(p, "2026-06-01T10:00:00Z", 60)).await;
    let b = insert(store, answered(p, "2026-06-02T10:00:00Z", 60)).await;
    let paid = |store: &Store| {
        let store = store.clone();
        async move {
            let c = &list(&store, &Actor::Service, &of(p)).await[0];
            (c.payments_cents, c.paid_calls)
        }
    };
    assert_eq!(paid(store).await, (0, 0));
    assert!(pay(store, &a, "pi_a", 10_000).await);
    assert!(pay(store, &b, "pi_b", 2_550).await);
    assert_eq!(paid(store).await, (12_550, 2));
    assert_eq!(refund(store, "pi_b", "re_1", 550).await, recorded(&b, -550));
    assert_eq!(paid(store).await, (12_000, 2));
    // Fully refunded: neither money nor a paid call, as analytics counts it.
    assert_eq!(
        refund(store, "pi_b", "re_2", 2_000).await,
        recorded(&b, -2_000)
    );
    assert_eq!(paid(store).await, (10_000, 1));
    let figures = analytics(store, &Actor::Service, Some(p), &range(None, None, None)).await;
    assert_eq!(figures.total_revenue_cents, 10_000, "the same rule as §6");
}

async fn opt_outs(db: &TestDb) {
    let store = &db.store;
    let (p, q) = (profile(1), profile(2));
    create_profile(store, p, "one", "One").await;
    create_profile(store, q, "two", "Two").await;
    insert(store, call(p, "2026-06-01T10:00:00Z")).await;
    insert(store, call(q, "2026-06-01T10:00:00Z")).await;
    insert(
        store,
        from(Some("+13125550999"), call(p, "2026-06-01T11:00:00Z")),
    )
    .await;
    assert!(
        store
            .record_opt_out(CALLER, "keyword", now())
            .await
            .unwrap()
    );
    for (who, dj) in [(dj(&[p]), p), (dj(&[q]), q)] {
        let contacts = list(store, &who, &of(dj)).await;
        let opted: Vec<(&str, bool)> = contacts
            .iter()
            .map(|c| (c.phone.as_str(), c.opted_out))
            .collect();
        assert!(opted.contains(&(CALLER, true)), "{opted:?}");
        assert!(!opted.contains(&("+13125550999", true)), "{opted:?}");
    }
    assert!(store.clear_opt_out(CALLER).await.unwrap());
    assert!(
        list(store, &dj(&[p]), &of(p))
            .await
            .iter()
            .all(|c| !c.opted_out)
    );
}

async fn isolation(db: &TestDb) {
    let store = &db.store;
    let (p, q) = (profile(1), profile(2));
    create_profile(store, p, "one", "One").await;
    create_profile(store, q, "two", "Two").await;
    let (_, mine) = log(store, call(p, "2026-06-01T10:00:00Z")).await;
    let (_, theirs) = log(store, call(q, "2026-06-01T10:00:00Z")).await;
    let (mine, theirs) = (mine.unwrap(), theirs.unwrap());
    let me = dj(&[p]);
    if store.backend() == Backend::Postgres {
        // Row-level security, the second line behind the app's own check: even unfiltered,
        // a DJ's query returns only their rows.
        let all = list(store, &me, &ContactFilter::default()).await;
        assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), [mine]);
        assert!(store.contact(&me, theirs).await.unwrap().is_none());
        assert!(
            store
                .calls_from(&me, q, CALLER, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert!(store.contact(&me, mine).await.unwrap().is_some());
    assert_eq!(list(store, &me, &of(p)).await.len(), 1);
}

async fn paging_under_inserts(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "pager", "Pager").await;
    let base = ts("2026-05-01T12:00:00Z");
    let minutes = |n: i64| DbTime(base.checked_add(SignedDuration::from_mins(n)).unwrap());
    let number = |n: u32| format!("+1312555{n:04}");
    // 20 contacts made in groups of four sharing an instant, so pages end inside groups.
    let mut initial = BTreeSet::new();
    for n in 0..20 {
        let (_, contact) = store
            .insert_call_and_contact(
                &Actor::Service,
                &from(Some(&number(n)), call(p, "2026-05-01T12:00:00Z")),
                minutes(i64::from(n / 4)),
            )
            .await
            .unwrap();
        initial.insert(contact.unwrap().contact_id);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<ContactCursor> = None;
    for page_no in 0..30u32 {
        let page = store
            .list_contacts(&dj(&[p]), &of(p), cursor, 3)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some(ContactCursor {
            created_at: last.created_at,
            id: last.id.0,
        });
        seen.extend(page.iter().map(|c| (c.created_at, c.id)));
        // Between pages: a new contact, and a new call of a contact not seen yet and of one seen.
        if page_no < 4 {
            store
                .insert_call_and_contact(
                    &Actor::Service,
                    &from(
                        Some(&number(100 + page_no)),
                        call(p, "2026-05-02T12:00:00Z"),
                    ),
                    minutes(1_000),
                )
                .await
                .unwrap();
            for n in [19 - page_no, page_no] {
                insert(
                    store,
                    from(Some(&number(n)), call(p, "2026-05-03T12:00:00Z")),
                )
                .await;
            }
        }
    }
    for pair in seen.windows(2) {
        assert!(pair[0] > pair[1], "out of order or repeated: {pair:?}");
    }
    let ids: BTreeSet<ContactId> = seen.iter().map(|(_, id)| *id).collect();
    assert_eq!(
        ids, initial,
        "every contact that existed, once; new ones come first"
    );
}

async fn filters(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "one", "One").await;
    let early = from(Some("+13125550101"), call(p, "2026-06-01T10:00:00Z"));
    let late = from(Some("+13125550202"), call(p, "2026-06-10T10:00:00Z"));
    let moved = from(Some("+13125550303"), call(p, "2026-06-01T10:00:00Z"));
    for c in [early, late, moved.clone()] {
        insert(store, c).await;
    }
    insert(
        store,
        NewCall {
            timestamp: at("2026-06-12T10:00:00Z"),
            id: CallId::new_v7(),
            ..moved
        },
    )
    .await;
    let phones = |contacts: Vec<ContactRecord>| {
        let mut p: Vec<String> = contacts.into_iter().map(|c| c.phone).collect();
        p.sort();
        p
    };
    let last_call_in = |from: &str, before: &str| ContactFilter {
        last_call_from: Some(at(from)),
        last_call_before: Some(at(before)),
        ..of(p)
    };
    assert_eq!(
        phones(
            list(
                store,
                &Actor::Service,
                &last_call_in("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z")
            )
            .await
        ),
        ["+13125550101"],
        "a contact whose last call is later is not in an earlier range"
    );
    assert_eq!(
        phones(
            list(
                store,
                &Actor::Service,
                &last_call_in("2026-06-09T00:00:00Z", "2026-06-30T00:00:00Z")
            )
            .await
        ),
        ["+13125550202", "+13125550303"]
    );
    let search = |digits: &str| ContactFilter {
        phone_digits: Some(digits.into()),
        ..of(p)
    };
    assert_eq!(
        phones(list(store, &Actor::Service, &search("0202")).await),
        ["+13125550202"]
    );
    assert_eq!(
        list(store, &Actor::Service, &search("312555")).await.len(),
        3
    );
    assert!(
        list(store, &Actor::Service, &search("999"))
            .await
            .is_empty()
    );
}
