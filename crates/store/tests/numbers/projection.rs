//! Accepted `incoming` deliveries and their projection (PostgreSQL, migration 0041): the answer
//! comes once the delivery is durable, the call row after it. Nothing accepted is lost when
//! the process that accepted it stops before projecting, and two processes projecting at once
//! project each delivery once. SQLite records the call with the delivery.

use crate::support::*;
use djcalls_domain::voice::VoiceEvent;
use djcalls_store::Store;
use djcalls_testkit::TestDb;
use std::collections::HashMap;

djcalls_testkit::on_both_backends! { &TestDb:
    an_accepted_call_survives_its_process_and_is_projected_by_another => survives_its_process;
    two_processes_projecting_at_once_project_each_call_once => two_processes_at_once;
    segments_that_overtook_the_projection_are_in_the_projected_row => segments_first;
}

fn incoming(to: &str, caller: usize) -> VoiceEvent {
    VoiceEvent::Incoming {
        caller: Some(format!("+1312555{:04}", caller % 10_000)),
        virtual_number: to.into(),
        caller_name: None,
    }
}

fn sid(n: usize) -> String {
    format!("CA{n:032x}")
}

async fn one_dj(store: &Store) -> String {
    let djs = create_profiles(store, 1).await;
    stock(store, &["+12125550400"]).await;
    let claim = store
        .claim_pool_number(&SYSTEM, djs[0], "+14155550400", None, now())
        .await
        .unwrap();
    assert!(matches!(claim, djcalls_store::numbers::Claim::Assigned(_)));
    assigned(claim).virtual_number
}

async fn contacts(store: &Store) -> Vec<djcalls_store::contacts::ContactRecord> {
    let filter = djcalls_store::contacts::ContactFilter::default();
    store
        .list_contacts(&djcalls_domain::Actor::Service, &filter, None, 100)
        .await
        .unwrap()
}

/// The same database through a store of its own: another process.
async fn other_process(db: &TestDb) -> Store {
    Store::connect_with(&db.url, &db.options).await.unwrap()
}

async fn survives_its_process(db: &TestDb) {
    let number = one_dj(&db.store).await;
    let accepting = other_process(db).await;
    let recorded = accepting
        .record_incoming(
            &sid(1),
            "incoming:1",
            &incoming(&number, 1),
            now(),
            |_, _| None,
        )
        .await
        .unwrap();
    assert!(
        recorded.forwarding.is_some(),
        "answered: the caller is connected"
    );
    if !db.store.projects_incoming() {
        assert!(!recorded.projection_pending);
        assert!(
            recorded.call.is_some(),
            "SQLite records the call with the delivery"
        );
        return;
    }
    assert!(recorded.projection_pending);
    assert!(
        recorded.call.is_none(),
        "the call is projected after the answer"
    );
    // The accepting process stops before projecting anything.
    accepting.close().await;
    drop(accepting);
    assert_eq!(db.store.incoming_waiting().await.unwrap(), 1);
    assert!(
        contacts(&db.store).await.is_empty(),
        "nothing projected yet"
    );

    let projected = project_all(&db.store).await;
    let call = projected[&sid(1)].call.expect("projected into a call row");
    let row = db.store.call(&SYSTEM, call.0).await.unwrap().unwrap();
    assert_eq!(row.call_sid.as_deref(), Some(sid(1).as_str()));
    assert_eq!(row.caller_number.as_deref(), Some("+13125550001"));
    assert!(projected[&sid(1)].contact.is_some_and(|c| c.created));
    assert_eq!(db.store.incoming_waiting().await.unwrap(), 0);
    assert!(project_all(&db.store).await.is_empty(), "projected once");
}

async fn two_processes_at_once(db: &TestDb) {
    let number = one_dj(&db.store).await;
    const CALLS: usize = 600;
    let record = |i: usize| {
        let (store, event) = (&db.store, incoming(&number, i % 40));
        async move {
            store
                .record_incoming(&sid(i), &format!("incoming:{i}"), &event, now(), |_, _| {
                    None
                })
                .await
                .unwrap()
        }
    };
    let answers = futures::future::join_all((0..CALLS).map(record)).await;
    assert!(
        answers
            .iter()
            .all(|a| a.new_event && a.forwarding.is_some())
    );
    // A status callback that overtook the projection of a few of them: those calls are folded
    // on the general path, by whichever process takes them.
    for i in (0..CALLS).step_by(50) {
        let status = VoiceEvent::Status {
            status: djcalls_domain::voice::LegStatus::Completed,
            duration_secs: Some(30),
        };
        db.store
            .record_voice_event(&sid(i), &format!("status:{i}"), &status, now())
            .await
            .unwrap();
    }
    let other = other_process(db).await;
    let (mine, theirs) = tokio::join!(project_all(&db.store), project_all(&other));
    let expected = if db.store.projects_incoming() {
        CALLS
    } else {
        0
    };
    assert_eq!(
        mine.len() + theirs.len(),
        expected,
        "each call projected by one process"
    );
    let mut all: HashMap<_, _> = mine;
    for (sid, call) in theirs {
        assert!(
            all.insert(sid, call).is_none(),
            "projected by both processes"
        );
    }
    assert_eq!(db.store.incoming_waiting().await.unwrap(), 0);
    // Every call has its row (counted per caller's contact, one contact per caller), and the
    // summaries equal a recount.
    let contacts = contacts(&db.store).await;
    assert_eq!(contacts.len(), 40);
    assert_eq!(
        contacts.iter().map(|c| c.calls_count).sum::<i64>(),
        CALLS as i64
    );
    let checks = db.store.verify_analytics().await.unwrap();
    assert!(checks.iter().all(|c| c.differing == 0), "{checks:?}");
    other.close().await;
}

async fn segments_first(db: &TestDb) {
    use djcalls_domain::transcript::{Speaker, TranscriptSegment};
    let number = one_dj(&db.store).await;
    let store = &db.store;
    let recorded = store
        .record_incoming(
            &sid(7),
            "incoming:7",
            &incoming(&number, 7),
            now(),
            |_, _| None,
        )
        .await
        .unwrap();
    // The conversation's first words arrive before the call's row is written (on SQLite the
    // row is there already).
    let segment = TranscriptSegment {
        sequence_id: 1,
        speaker: Speaker::Caller,
        text: "Hi, we're planning a wedding in June".into(),
    };
    store
        .record_transcript_segment(&sid(7), &segment, now())
        .await
        .unwrap();
    let projected = project_all(store).await;
    let call = match projected.get(&sid(7)) {
        Some(projected) => projected.call.expect("projected into a row").0,
        None => {
            assert!(!store.projects_incoming());
            recorded.call.expect("recorded with the delivery").0
        }
    };
    let row = store.call(&SYSTEM, call).await.unwrap().unwrap();
    let transcript = row.transcript.expect("the early segment is in the row");
    assert!(transcript.contains("planning a wedding"), "{transcript}");
}
