//! The delivery log's hourly prune (`Store::prune_webhook_deliveries`, 30 days after a
//! delivery finished) reads its index `webhook_deliveries_finished` on both databases — never
//! the whole log — and deletes exactly the deliveries that finished before the cutoff and wait
//! for no attempt.

use crate::common::*;
use crate::plans::analyze;
use djcalls_domain::WebhookEndpointId;
use djcalls_store::DbTime;
use djcalls_store::webhooks::WebhookEndpoint;
use djcalls_testkit::TestDb;
use jiff::SignedDuration;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    the_delivery_log_prune_uses_its_index => prune_uses_its_index;
}

/// Deliveries in the log: one every 2 minutes back from `NOW`, about 28 days' worth.
const DELIVERIES: i64 = 20_000;
const NOW: &str = "2026-06-01T00:00:00Z";

/// Every tenth waits for a retry, every tenth (the next) failed three days after it was made,
/// the rest were delivered a second after. On PostgreSQL and SQLite alike.
const SEED_PG: &str = "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, \
     body, attempts, next_attempt_at, created_at, delivered_at, failed_at) \
     SELECT gen_random_uuid(), $1, 'msg_' || i, 'call.completed', '{}', 1, \
       CASE WHEN i % 10 = 0 THEN $2 END, \
       $2 - make_interval(mins => CAST(i * 2 AS integer)), \
       CASE WHEN i % 10 > 1 THEN $2 - make_interval(mins => CAST(i * 2 AS integer)) + interval '1 second' END, \
       CASE WHEN i % 10 = 1 THEN $2 - make_interval(mins => CAST(i * 2 AS integer)) + interval '3 days' END \
     FROM generate_series(1, $3) AS i";
const SEED_LITE: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3) \
     INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, \
     body, attempts, next_attempt_at, created_at, delivered_at, failed_at) \
     SELECT randomblob(16), $1, 'msg_' || i, 'call.completed', '{}', 1, \
       CASE WHEN i % 10 = 0 THEN $2 END, \
       $2 - i * 120000000, \
       CASE WHEN i % 10 > 1 THEN $2 - i * 120000000 + 1000000 END, \
       CASE WHEN i % 10 = 1 THEN $2 - i * 120000000 + 259200000000 END \
     FROM n";

async fn prune_uses_its_index(db: &TestDb) {
    let store = &db.store;
    let now = at(NOW);
    let endpoint = WebhookEndpoint {
        id: WebhookEndpointId(Uuid::from_u128(0xe1)),
        url: "https://hooks.example.com/in".into(),
        events: vec!["call.completed".into()],
        secret: "whsec_secret".into(),
        created_at: at("2026-01-01T00:00:00Z"),
        disabled_at: None,
        disabled_reason: None,
    };
    store
        .insert_webhook_endpoint(&admin(), &endpoint)
        .await
        .unwrap();
    let raw = raw(db).await;
    raw_tx!(&raw, commit, |conn| {
        let sql = if db.url.starts_with("postgres") {
            SEED_PG
        } else {
            SEED_LITE
        };
        sqlx::query(sql)
            .bind(endpoint.id.0)
            .bind(now)
            .bind(DELIVERIES)
            .execute(&mut *conn)
            .await
            .unwrap();
    });
    analyze(db).await;

    // A prune whose cutoff only the oldest deliveries passed: ~2 % of the log is due, as in
    // the hourly run.
    let cutoff = DbTime(now.0 - SignedDuration::from_hours(27 * 24));
    let plan = store
        .explain_webhook_prune(cutoff)
        .await
        .unwrap()
        .join("\n");
    let scans_table = plan.contains("Seq Scan on webhook_deliveries")
        || plan
            .lines()
            .any(|l| l.contains("SCAN webhook_deliveries") && !l.contains("INDEX"));
    assert!(!scans_table, "a full scan of the log\n{plan}");
    assert!(
        plan.contains("webhook_deliveries_finished"),
        "not on its index\n{plan}"
    );

    // What it deletes: finished before the cutoff, and no attempt waiting.
    let finished = |i: i64| {
        let made = now.0 - SignedDuration::from_mins(i * 2);
        match i % 10 {
            0 => None,
            1 => Some(made + SignedDuration::from_hours(72)),
            _ => Some(made + SignedDuration::from_secs(1)),
        }
    };
    let due = (1..=DELIVERIES)
        .filter(|&i| finished(i).is_some_and(|f| f < cutoff.0))
        .count();
    assert!(due > 0);
    let pruned = store.prune_webhook_deliveries(cutoff).await.unwrap();
    assert_eq!(pruned, due as u64);
    assert_eq!(store.prune_webhook_deliveries(cutoff).await.unwrap(), 0);
}
