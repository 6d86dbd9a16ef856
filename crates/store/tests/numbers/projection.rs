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

/// PostgreSQL only: SQLite records the call with the delivery, nothing waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_that_cannot_be_projected_is_set_aside_and_holds_up_no_other_on_postgres() {
    use sqlx::Connection;
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let db = &db;
    let store = &db.store;
    let number = one_dj(store).await;
    // A waiting delivery whose call row the database refuses (a status no call can have),
    // oldest of all, among three good ones.
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("SELECT set_config('app.role', 'system', false)")
        .execute(&mut conn)
        .await
        .unwrap();
    let bad = uuid::Uuid::nil();
    sqlx::query(
        "INSERT INTO incoming_unprojected (event_id, call_id, call_sid, virtual_number, \
         caller, call_status, answered, voicemail_left, received_at, high_from, low_from) \
         VALUES ($1, gen_random_uuid(), $2, $3, '+13125550999', 'bogus', false, false, \
         now(), now(), now())",
    )
    .bind(bad)
    .bind(sid(99))
    .bind(&number)
    .execute(&mut conn)
    .await
    .unwrap();
    for i in 0..3 {
        store
            .record_incoming(
                &sid(i),
                &format!("incoming:{i}"),
                &incoming(&number, i),
                now(),
                |_, _| None,
            )
            .await
            .unwrap();
    }
    // Each projection projects the good ones (the first, one by one after the batch failed)
    // and counts a failure against the bad one, until it is set aside and nothing is taken.
    let mut projected = 0;
    let mut rounds = 0;
    loop {
        let batch = store
            .project_incoming_jobs(256, |_, _, _| Vec::new())
            .await
            .unwrap();
        if batch.claimed == 0 {
            break;
        }
        projected += batch.projected.len();
        assert_eq!(batch.failed, 1, "round {rounds}: {batch:?}");
        rounds += 1;
        assert!(rounds <= 5, "still taken after five failures");
    }
    assert_eq!(projected, 3, "the good deliveries were projected");
    assert_eq!(rounds, 5);
    let (attempts, error): (i32, Option<String>) =
        sqlx::query_as("SELECT attempts, last_error FROM incoming_unprojected WHERE event_id = $1")
            .bind(bad)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(attempts, 5);
    assert!(
        error.is_some_and(|e| e.contains("check")),
        "the refusal is kept"
    );
    assert_eq!(
        store.incoming_waiting().await.unwrap(),
        1,
        "set aside, not lost"
    );
    conn.close().await.unwrap();
}
