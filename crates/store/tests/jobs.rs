//! The durable job queue in the store, on SQLite and (when a server answers) PostgreSQL:
//! enqueue dedupe, exclusive claims under concurrency, backoff, dead jobs, lease expiry (the
//! crash/restart path), retry by hand; and the opt-out list and message status ordering.
#![allow(clippy::unwrap_used)]

use djcalls_domain::Actor;
use djcalls_domain::retry::backoff;
use djcalls_store::jobs::{JobState, NewJob, later};
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;

djcalls_testkit::on_both_backends! { &TestDb:
    enqueue_is_deduplicated => enqueue_is_deduplicated;
    concurrent_claimers_never_share_a_job => concurrent_claimers_never_share_a_job;
    failures_back_off_then_succeed => failures_back_off_then_succeed;
    a_job_dies_after_its_last_attempt => a_job_dies_after_its_last_attempt;
    a_permanent_failure_dies_at_once => a_permanent_failure_dies_at_once;
    an_expired_lease_is_reclaimed => an_expired_lease_is_reclaimed;
    a_dead_job_can_be_retried_by_hand => a_dead_job_can_be_retried_by_hand;
    rescheduling_does_not_count_an_attempt => rescheduling_does_not_count_an_attempt;
    opt_outs_and_message_states => opt_outs_and_message_states;
}

const LEASE: SignedDuration = SignedDuration::from_secs(120);

fn t0() -> DbTime {
    DbTime("2026-06-15T12:00:00Z".parse::<Timestamp>().unwrap())
}

fn at(secs: i64) -> DbTime {
    later(t0(), SignedDuration::from_secs(secs))
}

fn job(key: &str, max_attempts: i32) -> NewJob {
    NewJob {
        kind: "test".to_string(),
        payload: format!("{{\"key\":\"{key}\"}}"),
        dedupe_key: key.to_string(),
        dj_profile_id: None,
        run_at: t0(),
        max_attempts,
    }
}

async fn state_of(store: &Store, key: &str) -> (JobState, i32) {
    let job = store
        .job_by_dedupe_key(&Actor::System, key)
        .await
        .unwrap()
        .unwrap();
    (job.state, job.attempts)
}

async fn enqueue_is_deduplicated(db: &TestDb) {
    let store = &db.store;
    assert!(store.enqueue_job(&job("a", 5), t0()).await.unwrap());
    assert!(!store.enqueue_job(&job("a", 5), t0()).await.unwrap());
    assert!(store.enqueue_job(&job("b", 5), t0()).await.unwrap());
    let pending = store.pending_jobs(&Actor::System, 100).await.unwrap();
    assert_eq!(pending.len(), 2);
    // Done jobs still dedupe: the same cause never enqueues twice.
    let claimed = store.claim_jobs(t0(), LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    for j in &claimed {
        assert!(store.complete_job(j, t0()).await.unwrap());
    }
    assert!(!store.enqueue_job(&job("a", 5), at(10)).await.unwrap());
    let counts = store.job_counts(&Actor::System).await.unwrap();
    assert_eq!((counts.queued, counts.done), (0, 2));
    // A job not yet due is not claimed.
    let mut future = job("c", 5);
    future.run_at = at(60);
    store.enqueue_job(&future, t0()).await.unwrap();
    assert!(
        store
            .claim_jobs(at(59), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.claim_jobs(at(60), LEASE, 10).await.unwrap().len(), 1);
}

async fn concurrent_claimers_never_share_a_job(db: &TestDb) {
    let store = &db.store;
    const JOBS: usize = 60;
    for i in 0..JOBS {
        store
            .enqueue_job(&job(&format!("j{i}"), 3), t0())
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_jobs(t0(), LEASE, 4).await.unwrap();
                if batch.is_empty() {
                    break;
                }
                for j in batch {
                    assert!(store.complete_job(&j, t0()).await.unwrap());
                    mine.push(j.id);
                }
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for task in tasks {
        for id in task.await.unwrap() {
            total += 1;
            assert!(seen.insert(id), "job {id} claimed twice");
        }
    }
    assert_eq!(total, JOBS);
    assert_eq!(
        store.job_counts(&Actor::System).await.unwrap().done,
        JOBS as i64
    );
}

async fn failures_back_off_then_succeed(db: &TestDb) {
    // The schedule itself is unit-tested in `domain::retry`.
    let store = &db.store;
    store.enqueue_job(&job("flaky", 5), t0()).await.unwrap();
    let first = store.claim_jobs(t0(), LEASE, 1).await.unwrap().remove(0);
    assert_eq!(first.attempts, 1);
    let retry_at = later(t0(), backoff(first.attempts, 0.5));
    let state = store
        .fail_job(
            &first,
            "twilio: server error (HTTP 500)",
            Some(retry_at),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(state, Some(JobState::Queued));
    let queued = store.job(&Actor::System, first.id).await.unwrap().unwrap();
    assert_eq!(queued.run_at, retry_at);
    assert_eq!(
        queued.last_error.as_deref(),
        Some("twilio: server error (HTTP 500)")
    );
    // Not before its time.
    assert!(store.claim_jobs(at(29), LEASE, 1).await.unwrap().is_empty());
    let second = store.claim_jobs(at(30), LEASE, 1).await.unwrap().remove(0);
    assert_eq!(second.attempts, 2);
    assert!(store.complete_job(&second, at(31)).await.unwrap());
    assert_eq!(state_of(store, "flaky").await, (JobState::Done, 2));
}

async fn a_job_dies_after_its_last_attempt(db: &TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("doomed", 3), t0()).await.unwrap();
    let mut now = t0();
    for attempt in 1..=3 {
        let claimed = store.claim_jobs(now, LEASE, 1).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempts, attempt);
        let retry_at = later(now, backoff(attempt, 0.5));
        let state = store
            .fail_job(&claimed[0], "timeout", Some(retry_at), now)
            .await
            .unwrap();
        let expected = if attempt < 3 {
            JobState::Queued
        } else {
            JobState::Dead
        };
        assert_eq!(state, Some(expected));
        now = retry_at;
    }
    assert!(
        store
            .claim_jobs(later(now, SignedDuration::from_hours(10)), LEASE, 1)
            .await
            .unwrap()
            .is_empty()
    );
    let dead = store.dead_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].last_error.as_deref(), Some("timeout"));
    assert_eq!(store.job_counts(&Actor::System).await.unwrap().dead, 1);
    // The admin console lists it; a DJ sees no jobs at all.
    let dj = Actor::Dj {
        user: djcalls_domain::UserId(uuid::Uuid::new_v4()),
        profiles: vec![djcalls_domain::DjProfileId(uuid::Uuid::new_v4())],
    };
    if store.backend() == djcalls_store::Backend::Postgres {
        assert!(store.dead_jobs(&dj, 10).await.unwrap().is_empty());
    }
}

async fn a_permanent_failure_dies_at_once(db: &TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("bad", 8), t0()).await.unwrap();
    let claimed = store.claim_jobs(t0(), LEASE, 1).await.unwrap().remove(0);
    let state = store
        .fail_job(&claimed, "twilio: invalid recipient (21211)", None, t0())
        .await
        .unwrap();
    assert_eq!(state, Some(JobState::Dead));
    assert_eq!(state_of(store, "bad").await, (JobState::Dead, 1));
}

async fn an_expired_lease_is_reclaimed(db: &TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("crash", 2), t0()).await.unwrap();
    // A worker claims it and "crashes" (never finishes).
    let lost = store.claim_jobs(t0(), LEASE, 1).await.unwrap().remove(0);
    assert!(
        store
            .claim_jobs(at(119), LEASE, 1)
            .await
            .unwrap()
            .is_empty(),
        "still leased"
    );
    // After the lease, another worker (or the restarted process) gets it.
    let again = store.claim_jobs(at(121), LEASE, 1).await.unwrap().remove(0);
    assert_eq!(again.id, lost.id);
    assert_eq!(again.attempts, 2);
    // The first worker waking up cannot finish or fail what it no longer holds.
    assert!(!store.complete_job(&lost, at(122)).await.unwrap());
    assert_eq!(
        store.fail_job(&lost, "late", None, at(122)).await.unwrap(),
        None
    );
    assert!(!store.reschedule_job(&lost, at(500), at(122)).await.unwrap());
    // The holder's lease also runs out, on the last attempt: dead, not claimed a third time.
    assert!(
        store
            .claim_jobs(at(400), LEASE, 1)
            .await
            .unwrap()
            .is_empty()
    );
    let (state, attempts) = state_of(store, "crash").await;
    assert_eq!((state, attempts), (JobState::Dead, 2));
    assert!(!store.complete_job(&again, at(401)).await.unwrap());
}

async fn a_dead_job_can_be_retried_by_hand(db: &TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("manual", 1), t0()).await.unwrap();
    let claimed = store.claim_jobs(t0(), LEASE, 1).await.unwrap().remove(0);
    store
        .fail_job(&claimed, "boom", Some(at(30)), t0())
        .await
        .unwrap();
    assert_eq!(state_of(store, "manual").await.0, JobState::Dead);
    assert!(
        store
            .retry_dead_job(&Actor::System, claimed.id, at(60))
            .await
            .unwrap()
    );
    assert!(
        !store
            .retry_dead_job(&Actor::System, claimed.id, at(60))
            .await
            .unwrap(),
        "only dead jobs"
    );
    assert_eq!(state_of(store, "manual").await, (JobState::Queued, 0));
    let again = store.claim_jobs(at(60), LEASE, 1).await.unwrap().remove(0);
    assert_eq!(again.attempts, 1);
    assert!(store.complete_job(&again, at(61)).await.unwrap());
    assert!(
        !store
            .retry_dead_job(&Actor::System, again.id, at(62))
            .await
            .unwrap()
    );
}

async fn rescheduling_does_not_count_an_attempt(db: &TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("night", 1), t0()).await.unwrap();
    let claimed = store.claim_jobs(t0(), LEASE, 1).await.unwrap().remove(0);
    assert!(
        store
            .reschedule_job(&claimed, at(3600), t0())
            .await
            .unwrap()
    );
    assert_eq!(state_of(store, "night").await, (JobState::Queued, 0));
    assert!(
        store
            .claim_jobs(at(3599), LEASE, 1)
            .await
            .unwrap()
            .is_empty()
    );
    let morning = store
        .claim_jobs(at(3600), LEASE, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(morning.attempts, 1);
}

async fn opt_outs_and_message_states(db: &TestDb) {
    let store = &db.store;
    let number = "+14155550123";
    assert!(!store.is_opted_out(number).await.unwrap());
    assert!(store.record_opt_out(number, "keyword", t0()).await.unwrap());
    assert!(!store.record_opt_out(number, "keyword", t0()).await.unwrap());
    assert!(store.is_opted_out(number).await.unwrap());
    assert_eq!(store.opt_outs(&Actor::System, 10).await.unwrap().len(), 1);
    assert!(store.clear_opt_out(number).await.unwrap());
    assert!(!store.is_opted_out(number).await.unwrap());

    // Delivery reports arrive out of order: delivered is never undone by a late "sent".
    let sid = "SM0123456789abcdef0123456789abcdef";
    store
        .record_message_status(sid, "sent", None, Some(number), None, t0())
        .await
        .unwrap();
    store
        .record_message_status(sid, "delivered", None, None, None, at(1))
        .await
        .unwrap();
    let to = store
        .record_message_status(sid, "sent", None, None, None, at(2))
        .await
        .unwrap();
    assert_eq!(to.as_deref(), Some(number));
    let message = store
        .message_by_sid(&Actor::System, sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.status, "delivered");
}
