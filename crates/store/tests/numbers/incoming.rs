//! `incoming`, the hot path (`Store::record_incoming`): on PostgreSQL the delivery is accepted
//! in one statement and its call projected after it with the attribution rule in SQL
//! (`Store::project_incoming_jobs`), on SQLite the general Rust path.
//! Both must give what `djcalls_domain::attribution` gives, and every delivery that is not a
//! new call's first must fold like any other.

use crate::support::*;
use djcalls_domain::attribution::{self, Confidence};
use djcalls_domain::voice::{CallFacts, LegStatus, VoiceEvent};
use djcalls_domain::{CallStatus, DjProfileId};
use djcalls_store::clicks::NewClick;
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;
use jiff::SignedDuration;
use serde_json::Value;

djcalls_testkit::on_both_backends! { &TestDb:
    attribution_follows_the_domain_rule => attribution_follows_the_domain_rule;
    concurrent_deliveries_are_recorded_each_as_alone => concurrent_deliveries_each_as_alone;
    retries_and_overtaken_calls_fold_like_any_delivery => retries_and_overtaken_calls_fold;
    calls_to_unknown_numbers_are_recorded_without_forwarding => numbers_out_of_service;
}

fn minutes_before(t: DbTime, mins: i64) -> DbTime {
    DbTime(t.0.checked_sub(SignedDuration::from_mins(mins)).unwrap())
}

fn incoming(to: &str) -> VoiceEvent {
    VoiceEvent::Incoming {
        caller: Some("+13125550123".into()),
        virtual_number: to.into(),
        caller_name: Some("PAT CALLER".into()),
    }
}

fn sid(n: usize) -> String {
    format!("CA{n:032x}")
}

async fn claim(store: &Store, dj: DjProfileId, real: &str) -> String {
    assigned(
        store
            .claim_pool_number(&SYSTEM, dj, real, None, now())
            .await
            .unwrap(),
    )
    .virtual_number
}

/// Click patterns around the rule's edges: (minutes before the call, visitor).
fn scenarios() -> Vec<Vec<(i64, Option<&'static str>)>> {
    vec![
        vec![],
        vec![(2, Some("a"))],
        vec![(2, Some("a")), (5, Some("a"))],
        vec![(2, Some("a")), (5, Some("b"))],
        vec![(2, Some("a")), (5, None)],
        vec![(2, None)],
        vec![(12, Some("a"))],
        vec![(31, Some("a"))],
        vec![(30, Some("a"))],
        vec![(10, Some("a"))],
        vec![(29, Some("a")), (35, Some("b"))],
        vec![(12, Some("a")), (3, Some("b"))],
        vec![(2, Some("a")), (2, Some("b"))],
        vec![(-1, Some("a")), (4, Some("b"))],
    ]
}

async fn attribution_follows_the_domain_rule(db: &TestDb) {
    attribution_cases(db, false).await;
}

/// All cases at once, each delivered twice (a retry racing the original): on PostgreSQL they
/// share statements and commits (`voice/batch.rs`), and each must come out exactly as alone.
async fn concurrent_deliveries_each_as_alone(db: &TestDb) {
    attribution_cases(db, true).await;
    if db.store.backend() == djcalls_store::Backend::Postgres {
        assert!(
            db.store.incoming_batch_sizes().largest > 1,
            "the concurrent deliveries were recorded in batches"
        );
    }
}

async fn attribution_cases(db: &TestDb, concurrently: bool) {
    let store = &db.store;
    let cases = scenarios();
    let djs = create_profiles(store, cases.len() as u128).await;
    let pool: Vec<String> = (0..cases.len())
        .map(|i| format!("+1212555{:04}", 100 + i))
        .collect();
    stock(store, &pool.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let mut numbers = Vec::new();
    for (i, (clicks, dj)) in cases.iter().zip(&djs).enumerate() {
        let number = claim(store, *dj, &format!("+1415555{:04}", 100 + i)).await;
        numbers.push(number);
        for (mins, visitor) in clicks {
            let click = NewClick {
                page_url: Some(format!("https://www.thebash.com/dj/{i}")),
                visitor_id: visitor.map(str::to_string),
                utm_source: Some("google".into()),
                ..NewClick::default()
            };
            let stored = store
                .record_click(*dj, &click, minutes_before(now(), *mins))
                .await
                .unwrap();
            assert!(stored);
        }
    }
    // The clicks' journeys are kept before any call names them: each call must mark its
    // click again for the funnel to count it.
    store.fold_analytics().await.unwrap();
    let record = |i: usize| {
        let event = incoming(&numbers[i]);
        async move {
            store
                .record_incoming(&sid(i), &format!("incoming:{i}"), &event, now(), |_, _| {
                    None
                })
                .await
                .unwrap()
        }
    };
    let mut results = Vec::new();
    if concurrently {
        // Originals and retries interleaved; per call, exactly one of the two is new.
        let both = (0..cases.len()).flat_map(|i| [i, i]).map(record);
        let answers = futures::future::join_all(both).await;
        for pair in answers.chunks(2) {
            assert_eq!(pair.iter().filter(|r| r.new_event).count(), 1, "{pair:?}");
            results.push(pair.iter().find(|r| r.new_event).cloned().unwrap());
        }
        // All projected together, as a drain finds them under load.
        let projected = project_all(store).await;
        assert_eq!(
            projected.len(),
            results.len() * usize::from(store.projects_incoming())
        );
        results = results
            .into_iter()
            .enumerate()
            .map(|(i, r)| as_projected(r, &sid(i), &projected))
            .collect();
    } else {
        for i in 0..cases.len() {
            let recorded = record(i).await;
            let projected = project_all(store).await;
            results.push(as_projected(recorded, &sid(i), &projected));
        }
    }
    for (i, ((clicks, dj), recorded)) in cases.iter().zip(&djs).zip(results).enumerate() {
        assert!(recorded.new_event);
        assert_eq!(store.voice_events(&sid(i)).await.unwrap().len(), 1);
        let forwarding = recorded.forwarding.expect("an assigned number forwards");
        assert_eq!(forwarding.dj_profile_id, *dj);
        assert_eq!(
            forwarding.real_phone_number,
            format!("+1415555{:04}", 100 + i)
        );
        let (call_id, owner) = recorded.call.expect("the call row was created");
        assert_eq!(owner, *dj);

        let candidates = store.clicks_of(&SYSTEM, *dj, 100).await.unwrap();
        let expected = attribution::attribute(&candidates, now().0);
        let call = store.call(&SYSTEM, call_id).await.unwrap().unwrap();
        assert_eq!(call.call_sid.as_deref(), Some(sid(i).as_str()));
        assert_eq!(call.call_status, CallStatus::Ringing, "case {i}");
        assert_eq!(call.caller_number.as_deref(), Some("+13125550123"));
        let stored: Option<Value> = call
            .attribution
            .as_deref()
            .map(|a| serde_json::from_str(a).unwrap());
        match (expected, stored) {
            (None, None) => {}
            (Some((click, confidence)), Some(a)) => {
                assert_eq!(a["click_id"], click.id.to_string(), "case {i}: {a}");
                assert_eq!(a["dj_profile_id"], dj.to_string(), "case {i}");
                let want = match confidence {
                    Confidence::High => "high",
                    Confidence::Low => "low",
                };
                assert_eq!(a["confidence"], want, "case {i}: {clicks:?}");
                assert_eq!(a["page_url"], format!("https://www.thebash.com/dj/{i}"));
                assert_eq!(a["utm_source"], "google");
                assert_eq!(a["visitor_id"].as_str(), click.visitor_id.as_deref());
                assert_eq!(a["referrer"], Value::Null);
                let at: jiff::Timestamp = a["clicked_at"].as_str().unwrap().parse().unwrap();
                assert_eq!(at, click.clicked_at.0, "case {i}");
            }
            (want, got) => panic!("case {i} {clicks:?}: expected {want:?}, stored {got:?}"),
        }
    }
    // On PostgreSQL a batch writes its calls' analytics deltas and funnel marks itself (the
    // statement triggers skip it): the summaries must equal a recount, before and after the
    // fold, exactly as when the triggers write them.
    for moment in ["with deltas pending", "folded"] {
        let checks = store.verify_analytics().await.unwrap();
        assert!(
            checks.iter().all(|c| c.differing == 0),
            "{moment}: {checks:?}"
        );
        store.fold_analytics().await.unwrap();
    }
}

async fn retries_and_overtaken_calls_fold(db: &TestDb) {
    let store = &db.store;
    let djs = create_profiles(store, 1).await;
    stock(store, &["+12125550100"]).await;
    let number = claim(store, djs[0], "+14155550100").await;

    // A retried delivery is recorded once and changes nothing.
    let first =
        record_incoming_projected(store, &sid(1), "incoming:1", &incoming(&number), now()).await;
    let retry = store
        .record_incoming(&sid(1), "incoming:1", &incoming(&number), now(), |_, _| {
            None
        })
        .await
        .unwrap();
    assert!(first.new_event);
    assert!(first.call.is_some());
    assert!(!retry.new_event);
    assert!(!retry.projection_pending, "a retry has nothing to project");
    if store.projects_incoming() {
        assert!(project_all(store).await.is_empty());
    } else {
        assert_eq!(first.call, retry.call);
    }
    assert!(retry.forwarding.is_some(), "a retry is still forwarded");
    assert_eq!(store.voice_events(&sid(1)).await.unwrap().len(), 1);

    // The leg's final status overtook `incoming`: the late `incoming` fills in the caller and
    // never moves the call back to ringing.
    let status = VoiceEvent::Status {
        status: LegStatus::Completed,
        duration_secs: Some(42),
    };
    let early = store
        .record_voice_event(&sid(2), "status:2", &status, now())
        .await
        .unwrap();
    assert!(early.call.is_none(), "no number known yet");
    let late =
        record_incoming_projected(store, &sid(2), "incoming:2", &incoming(&number), now()).await;
    assert!(late.new_event);
    let (call_id, _) = late.call.expect("the late incoming creates the row");
    let call = store.call(&SYSTEM, call_id).await.unwrap().unwrap();
    let folded = CallFacts::fold([&status, &incoming(&number)]).status();
    assert_eq!(call.call_status, folded);
    assert_ne!(call.call_status, CallStatus::Ringing);
    assert_eq!(call.call_duration_seconds, Some(42));
    assert_eq!(call.caller_number.as_deref(), Some("+13125550123"));
    assert_eq!(store.voice_events(&sid(2)).await.unwrap().len(), 2);
}

async fn numbers_out_of_service(db: &TestDb) {
    let store = &db.store;
    // Nobody owns this number: the event is kept, no call row, no forwarding.
    let unknown = record_incoming_projected(
        store,
        &sid(1),
        "incoming:1",
        &incoming("+19995550100"),
        now(),
    )
    .await;
    assert!(unknown.forwarding.is_none());
    assert!(unknown.call.is_none());
    assert!(unknown.new_event);
    assert_eq!(store.voice_events(&sid(1)).await.unwrap().len(), 1);
    assert_eq!(
        store.incoming_waiting().await.unwrap(),
        0,
        "projected, without a row"
    );
}
