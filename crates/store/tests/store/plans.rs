//! Issue 9 part 4: the consoles' call lists use indexes on both databases — filtered by status
//! platform-wide, by DJ and status, and deep into a DJ's calls through the cursor — never a
//! scan of the whole table; and the status filter is exact across pages.

use crate::common::*;
use djcalls_domain::{Actor, CallId, CallStatus};
use djcalls_store::DbTime;
use djcalls_store::calls::{CallCursor, CallFilter, NewCall};
use djcalls_testkit::TestDb;
use jiff::SignedDuration;

djcalls_testkit::on_both_backends! { &TestDb:
    call_lists_filtered_by_dj_and_status_use_indexes => call_lists_use_indexes;
}

const PER_DJ: usize = 6_000;

async fn call_lists_use_indexes(db: &TestDb) {
    let store = &db.store;
    let (p, q) = (profile(1), profile(2));
    create_profile(store, p, "planned", "Planned").await;
    create_profile(store, q, "other", "Other").await;
    let start = at("2026-01-01T00:00:00Z").0;
    let statuses = [
        CallStatus::Completed,
        CallStatus::NoAnswer,
        CallStatus::Voicemail,
    ];
    for dj in [p, q] {
        let calls: Vec<NewCall> = (0..PER_DJ)
            .map(|i| NewCall {
                id: CallId::new_v7(),
                timestamp: DbTime(start + SignedDuration::from_mins(i as i64)),
                // One call in fifty failed: a rare status, as in production.
                call_status: if i % 50 == 0 {
                    CallStatus::Failed
                } else {
                    statuses[i % 3]
                },
                ..call(dj, "2026-01-01T00:00:00Z")
            })
            .collect();
        store
            .insert_calls_bulk(&Actor::System, &calls, now())
            .await
            .unwrap();
    }
    analyze(db).await;

    let failed = Some(CallStatus::Failed);
    let deep = CallCursor {
        timestamp: DbTime(start + SignedDuration::from_mins(500)),
        id: uuid::Uuid::max(),
    };
    let cases = [
        (
            "failed calls, platform-wide",
            CallFilter {
                status: failed,
                ..CallFilter::default()
            },
            None,
            &["dj_calls_status_time"][..],
        ),
        (
            "one DJ's failed calls",
            CallFilter {
                profile: Some(p),
                status: failed,
                ..CallFilter::default()
            },
            None,
            &["dj_calls_status_time", "dj_calls_profile_time"][..],
        ),
        (
            "deep into one DJ's calls",
            CallFilter {
                profile: Some(p),
                ..CallFilter::default()
            },
            Some(deep),
            &["dj_calls_profile_time"][..],
        ),
    ];
    for (what, filter, cursor, indexes) in &cases {
        let plan = store
            .explain_call_list(&Actor::Service, filter, *cursor, 50)
            .await
            .unwrap()
            .join("\n");
        let scans_table = plan.contains("Seq Scan on dj_calls")
            || plan
                .lines()
                .any(|l| l.contains("SCAN dj_calls") && !l.contains("INDEX"));
        assert!(!scans_table, "{what}: a full scan\n{plan}");
        assert!(
            indexes.iter().any(|index| plan.contains(index)),
            "{what}: not on {indexes:?}\n{plan}"
        );
    }

    // The status filter is the database's, exact across pages.
    let mut seen = 0;
    let mut cursor = None;
    let filter = CallFilter {
        profile: Some(p),
        status: failed,
        ..CallFilter::default()
    };
    loop {
        let page = store
            .list_calls(&Actor::Service, &filter, cursor, 7)
            .await
            .unwrap();
        assert!(
            page.iter()
                .all(|c| c.call_status == CallStatus::Failed && c.dj_profile_id == p)
        );
        seen += page.len();
        match page.last() {
            Some(last) if page.len() == 7 => {
                cursor = Some(CallCursor {
                    timestamp: last.timestamp,
                    id: last.id.0,
                })
            }
            _ => break,
        }
    }
    assert_eq!(seen, PER_DJ.div_ceil(50));
}

/// Fresh planner statistics, as autovacuum would gather after a bulk load.
pub(crate) async fn analyze(db: &TestDb) {
    use sqlx::Connection;
    if db.url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
    }
}
