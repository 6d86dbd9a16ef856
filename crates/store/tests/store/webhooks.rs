//! Outbound webhooks' tables (migration 0023): endpoints, the fan-out of an event into one
//! delivery (and its job) per subscribed enabled endpoint, attempts, disabling, manual retries,
//! deletion; and on PostgreSQL, that only the platform sees any of it.

use crate::common::*;
use djcalls_domain::{Actor, WebhookDeliveryId, WebhookEndpointId};
use djcalls_store::jobs::NewJob;
use djcalls_store::webhooks::{AttemptRecord, NewWebhookEvent, WebhookEndpoint};
use djcalls_store::{Backend, Store};
use djcalls_testkit::TestDb;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    an_event_fans_out_once_to_each_subscribed_enabled_endpoint => fan_out;
    attempts_are_logged_and_a_failing_endpoint_is_disabled => attempts;
    only_the_platform_sees_endpoints_and_deleting_one_removes_its_log => visibility;
    an_event_job_is_queued_only_while_some_endpoint_is_enabled => events_need_an_endpoint;
}

fn endpoint(n: u128, events: &[&str], created: &str) -> WebhookEndpoint {
    WebhookEndpoint {
        id: WebhookEndpointId(Uuid::from_u128(0xe0_0000 + n)),
        url: format!("https://hooks{n}.example.com/in"),
        events: events.iter().map(|e| e.to_string()).collect(),
        secret: format!("whsec_secret{n}"),
        created_at: at(created),
        disabled_at: None,
        disabled_reason: None,
    }
}

fn event(id: &str, kind: &str) -> NewWebhookEvent {
    NewWebhookEvent {
        event_id: id.to_string(),
        event_type: kind.to_string(),
        body: format!(r#"{{"id":"{id}","type":"{kind}"}}"#),
    }
}

fn job_for(id: WebhookDeliveryId) -> NewJob {
    NewJob {
        kind: "webhook_delivery".into(),
        payload: format!(r#"{{"delivery_id":"{id}"}}"#),
        dedupe_key: format!("webhook_delivery:{id}"),
        dj_profile_id: None,
        run_at: now(),
        max_attempts: 3,
    }
}

async fn fan(store: &Store, e: &NewWebhookEvent) -> Vec<WebhookDeliveryId> {
    store
        .fan_out_webhook_event(e, now(), job_for)
        .await
        .expect("fan out")
}

async fn setup(store: &Store) -> [WebhookEndpoint; 3] {
    let a = endpoint(1, &["call.completed"], "2026-06-01T00:00:00Z");
    let b = endpoint(
        2,
        &["call.missed", "call.completed"],
        "2026-06-02T00:00:00Z",
    );
    let mut c = endpoint(3, &["call.completed"], "2026-06-03T00:00:00Z");
    c.disabled_at = Some(at("2026-06-04T00:00:00Z"));
    for e in [&a, &b, &c] {
        store
            .insert_webhook_endpoint(&admin(), e)
            .await
            .expect("insert endpoint");
    }
    [a, b, c]
}

async fn fan_out(db: &TestDb) {
    let store = &db.store;
    let [a, b, c] = setup(store).await;
    let listed = store.webhook_endpoints(&admin()).await.expect("list");
    assert_eq!(
        listed,
        vec![c.clone(), b.clone(), a.clone()],
        "newest first"
    );

    let completed = event("msg_1", "call.completed");
    let created = fan(store, &completed).await;
    assert_eq!(created.len(), 2, "A and B, not the disabled C");
    assert!(
        fan(store, &completed).await.is_empty(),
        "once per endpoint and event"
    );
    for id in &created {
        let job = store
            .job_by_dedupe_key(&Actor::System, &format!("webhook_delivery:{id}"))
            .await
            .expect("job")
            .expect("enqueued with the delivery");
        assert_eq!(job.kind, "webhook_delivery");
        let delivery = store
            .webhook_delivery(&admin(), *id)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(delivery.event_id, "msg_1");
        assert_eq!(delivery.body, completed.body);
        assert_eq!(delivery.attempts, 0);
        assert_eq!(delivery.next_attempt_at, Some(now()));
    }
    let missed = fan(store, &event("msg_2", "call.missed")).await;
    assert_eq!(missed.len(), 1, "only B takes call.missed");
    let of_b = store
        .webhook_deliveries(&admin(), b.id, 10)
        .await
        .expect("deliveries");
    assert_eq!(of_b.len(), 2);
    assert!(
        fan(store, &event("msg_3", "contact.created"))
            .await
            .is_empty()
    );
    assert_eq!(
        store
            .recent_webhook_deliveries(&admin(), 10)
            .await
            .expect("recent")
            .len(),
        3
    );
}

async fn attempts(db: &TestDb) {
    let store = &db.store;
    let [a, ..] = setup(store).await;
    let created = fan(store, &event("msg_1", "call.completed")).await;
    let to_a = store
        .webhook_deliveries(&admin(), a.id, 10)
        .await
        .expect("deliveries")[0]
        .id;
    assert!(created.contains(&to_a));

    let retry_at = at("2026-06-15T12:00:05Z");
    let failed = AttemptRecord {
        status: Some(500),
        error: Some("answered 500".into()),
        next_attempt_at: Some(retry_at),
        ..AttemptRecord::default()
    };
    store
        .record_webhook_attempt(to_a, &failed, now())
        .await
        .expect("record");
    let d = store
        .webhook_delivery(&admin(), to_a)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (d.attempts, d.last_status, d.next_attempt_at),
        (1, Some(500), Some(retry_at))
    );
    assert_eq!((d.delivered_at, d.failed_at), (None, None));

    let given_up = AttemptRecord {
        error: Some("timed out".into()),
        failed: true,
        disable_endpoint: Some("deliveries failed for 3 days".into()),
        ..AttemptRecord::default()
    };
    let later = at("2026-06-18T12:00:00Z");
    store
        .record_webhook_attempt(to_a, &given_up, later)
        .await
        .expect("record");
    let d = store
        .webhook_delivery(&admin(), to_a)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (d.attempts, d.last_status, d.failed_at),
        (2, None, Some(later))
    );
    let a_now = store
        .webhook_endpoint(&admin(), a.id)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(a_now.disabled_at, Some(later));
    assert_eq!(
        a_now.disabled_reason.as_deref(),
        Some("deliveries failed for 3 days")
    );
    assert_eq!(
        fan(store, &event("msg_9", "call.completed")).await.len(),
        1,
        "only B now"
    );

    // A manual retry makes it pending again, with its job, in one transaction.
    let mut job = job_for(to_a);
    job.dedupe_key = format!("webhook_delivery:{to_a}:retry:2");
    assert!(
        store
            .retry_webhook_delivery(&admin(), to_a, &job, later)
            .await
            .expect("retry")
    );
    let d = store
        .webhook_delivery(&admin(), to_a)
        .await
        .expect("read")
        .expect("row");
    assert_eq!((d.failed_at, d.next_attempt_at), (None, Some(later)));
    assert!(
        store
            .job_by_dedupe_key(&Actor::System, &job.dedupe_key)
            .await
            .expect("job")
            .is_some()
    );
    let delivered = AttemptRecord {
        status: Some(204),
        delivered: true,
        ..AttemptRecord::default()
    };
    store
        .record_webhook_attempt(to_a, &delivered, later)
        .await
        .expect("record");
    let d = store
        .webhook_delivery(&admin(), to_a)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (d.attempts, d.delivered_at, d.next_attempt_at),
        (3, Some(later), None)
    );
    let unknown = WebhookDeliveryId(Uuid::from_u128(1));
    assert!(
        !store
            .retry_webhook_delivery(&admin(), unknown, &job, later)
            .await
            .expect("retry")
    );
}

async fn visibility(db: &TestDb) {
    let store = &db.store;
    let [a, b, _] = setup(store).await;
    fan(store, &event("msg_1", "call.completed")).await;
    if store.backend() == Backend::Postgres {
        let dj = dj(&[profile(1)]);
        assert!(store.webhook_endpoints(&dj).await.expect("list").is_empty());
        assert!(
            store
                .webhook_deliveries(&dj, a.id, 10)
                .await
                .expect("list")
                .is_empty()
        );
    }
    assert_eq!(
        store
            .webhook_endpoints(&Actor::Service)
            .await
            .expect("list")
            .len(),
        3
    );
    assert!(
        store
            .delete_webhook_endpoint(&admin(), a.id)
            .await
            .expect("delete")
    );
    assert!(
        !store
            .delete_webhook_endpoint(&admin(), a.id)
            .await
            .expect("again")
    );
    assert!(
        store
            .webhook_endpoint(&admin(), a.id)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .webhook_deliveries(&admin(), a.id, 10)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        store
            .webhook_deliveries(&admin(), b.id, 10)
            .await
            .expect("list")
            .len(),
        1
    );
}

async fn events_need_an_endpoint(db: &TestDb) {
    let store = &db.store;
    let event_job = |key: &str| NewJob {
        kind: djcalls_store::webhooks::EVENT_JOB_KIND.into(),
        payload: "{}".into(),
        dedupe_key: key.into(),
        dj_profile_id: None,
        run_at: now(),
        max_attempts: 3,
    };
    let enabled = || async { store.any_webhook_endpoint_enabled().await.expect("read") };
    assert!(!enabled().await);
    assert!(
        !store
            .enqueue_job(&event_job("e1"), now())
            .await
            .expect("enqueue")
    );
    let mut only = endpoint(1, &["call.completed"], "2026-06-01T00:00:00Z");
    only.disabled_at = Some(now());
    store
        .insert_webhook_endpoint(&admin(), &only)
        .await
        .expect("insert");
    assert!(!enabled().await, "a disabled endpoint does not count");
    assert!(
        !store
            .enqueue_job(&event_job("e2"), now())
            .await
            .expect("enqueue")
    );
    let live = endpoint(2, &["call.completed"], "2026-06-02T00:00:00Z");
    store
        .insert_webhook_endpoint(&admin(), &live)
        .await
        .expect("insert");
    assert!(enabled().await);
    assert!(
        store
            .enqueue_job(&event_job("e3"), now())
            .await
            .expect("enqueue")
    );
    assert!(
        !store
            .enqueue_job(&event_job("e3"), now())
            .await
            .expect("once")
    );
    // Other jobs never depend on endpoints.
    assert!(
        store
            .enqueue_job(&job_for(WebhookDeliveryId(Uuid::from_u128(9))), now())
            .await
            .expect("enqueue")
    );
}
