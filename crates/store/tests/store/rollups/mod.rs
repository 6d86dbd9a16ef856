//! Story 9: the analytics summaries stay exact (issue 9). Random calls, PATCHes, payments,
//! refunds (before and after their payment), missed-call texts and folds run concurrently;
//! then every answer from the summaries equals a recount of the calls, for open, date and
//! odd-instant ranges in zones with whole-hour, half-hour, 45-minute and half-hour-DST
//! offsets, for each DJ and the platform, revenue by source and the booking funnel (clicks,
//! calls naming them, payment links opened, numbers shown) included, before and after folding;
//! `verify` finds nothing, and `rebuild` after tampering restores the truth.

use crate::common::*;
use djcalls_domain::DjProfileId;
use djcalls_domain::analytics::Analytics;
use djcalls_domain::range::DateRange;
use djcalls_store::Store;
use djcalls_testkit::TestDb;

mod changes;
use changes::worker;

djcalls_testkit::on_both_backends! { &TestDb:
    summaries_equal_a_recount_after_concurrent_random_changes => random_changes;
}

const WORKERS: u64 = 3;
/// `FOLLOWUP_MIN_TALK_SECONDS` as the service passes it (the summaries' default).
const MIN_TALK: u32 = 10;
const STEPS: u64 = 90;
const ZONES: [&str; 5] = [
    "UTC",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
];

fn ranges() -> Vec<DateRange> {
    let mut out = Vec::new();
    for tz in ZONES {
        out.push(range(None, None, Some(tz)));
        out.push(range(Some("2026-03-05"), Some("2026-04-10"), Some(tz)));
        out.push(range(Some("2026-03-08"), Some("2026-03-08"), Some(tz)));
        out.push(range(Some("2026-03-20"), None, Some(tz)));
        out.push(range(None, Some("2026-03-15"), Some(tz)));
    }
    out.push(range(
        Some("2026-03-03T10:07:13Z"),
        Some("2026-04-02T23:59:59Z"),
        None,
    ));
    out.push(range(
        Some("2026-03-10T01:00:00Z"),
        Some("2026-03-10T02:30:00Z"),
        None,
    ));
    out
}

async fn assert_exact(store: &Store, djs: &[DjProfileId], when: &str) {
    let admin = admin();
    for r in ranges() {
        let whose = djs.iter().map(|d| Some(*d)).chain([None]);
        for profile in whose {
            let actor = profile.map_or(admin.clone(), |p| dj(&[p]));
            let summed = store
                .call_figures(&actor, profile, &r)
                .await
                .expect("summed");
            let counted = store
                .call_figures_recount(&actor, profile, &r)
                .await
                .expect("counted");
            assert_eq!(
                Analytics::from(summed),
                Analytics::from(counted),
                "{when}: {profile:?} over {:?}..{:?} in {}",
                r.start,
                r.end,
                r.tz_name
            );
        }
        for profile in djs.iter().map(|d| Some(*d)).chain([None]) {
            let actor = profile.map_or(admin.clone(), |p| dj(&[p]));
            let mut summed = store
                .source_figures(&actor, profile, &r)
                .await
                .expect("sources");
            let mut counted = store
                .source_figures_recount(&actor, profile, &r)
                .await
                .expect("counted");
            summed.sort_by(|a, b| a.key.cmp(&b.key));
            counted.sort_by(|a, b| a.key.cmp(&b.key));
            assert_eq!(
                summed, counted,
                "{when}: sources of {profile:?} over {:?}..{:?}",
                r.start, r.end
            );
        }
        for profile in djs.iter().map(|d| Some(*d)).chain([None]) {
            let actor = profile.map_or(admin.clone(), |p| dj(&[p]));
            let summed = store
                .funnel(&actor, profile, &r, MIN_TALK)
                .await
                .expect("funnel");
            let counted = store
                .funnel_recount(&actor, profile, &r, MIN_TALK)
                .await
                .expect("counted");
            assert_eq!(
                summed, counted,
                "{when}: funnel of {profile:?} over {:?}..{:?}",
                r.start, r.end
            );
        }
        let top = store.top_djs(&admin, &r, 10).await.expect("top");
        let top_counted = store
            .top_djs_recount(&admin, &r, 10)
            .await
            .expect("top counted");
        assert_eq!(
            top, top_counted,
            "{when}: top DJs over {:?}..{:?}",
            r.start, r.end
        );
    }
}

async fn random_changes(db: &TestDb) {
    let store = &db.store;
    let djs = vec![profile(91), profile(92), profile(93)];
    for (i, p) in djs.iter().enumerate() {
        create_profile(store, *p, &format!("dj-{i}"), &format!("DJ {i}")).await;
    }
    // Two folders, as two serving processes run them.
    let folders: Vec<_> = (0..2)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                for _ in 0..40 {
                    store.fold_analytics().await.expect("fold");
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let (store, raw, djs) = (store.clone(), raw(db).await, djs.clone());
        workers.push(tokio::spawn(worker(store, raw, djs, 0x0907_0000 + w)));
    }
    for w in workers {
        w.await.expect("worker");
    }
    for folder in folders {
        folder.await.expect("folder");
    }

    assert_exact(store, &djs, "with deltas pending").await;
    assert!(
        store
            .verify_analytics()
            .await
            .unwrap()
            .iter()
            .all(|c| c.differing == 0),
        "verify counts pending deltas"
    );
    store.fold_analytics().await.expect("fold");
    assert_exact(store, &djs, "folded").await;
    // The journeys reached every stage somewhere, so each stage's rule was exercised.
    let all = range(None, None, None);
    let funnel = store.funnel(&admin(), None, &all, MIN_TALK).await.unwrap();
    assert!(
        funnel.numbers_shown > 0 && funnel.calls > 0 && funnel.paid > 0,
        "{funnel:?}"
    );

    // A database restored from an old backup: summaries that no longer match.
    let tampered = tamper(db, "UPDATE analytics_dj_type_blocks SET calls = calls + 1").await;
    let tampered_funnel = tamper(db, "UPDATE analytics_funnel_dj_days SET paid = paid + 1").await;
    assert!(tampered_funnel > 0);
    assert!(tampered > 0);
    // The answers come from the summaries: tampered ones show.
    let summed = store
        .call_figures(&admin(), Some(djs[0]), &all)
        .await
        .unwrap();
    let counted = store
        .call_figures_recount(&admin(), Some(djs[0]), &all)
        .await
        .unwrap();
    assert_ne!(summed.total_calls, counted.total_calls);
    let checks = store.verify_analytics().await.unwrap();
    let found = checks
        .iter()
        .find(|c| c.table == "analytics_dj_type_blocks")
        .unwrap();
    assert_eq!(found.differing, tampered as i64, "{checks:?}");
    let found = checks
        .iter()
        .find(|c| c.table == "analytics_funnel_dj_days")
        .unwrap();
    assert_eq!(found.differing, tampered_funnel as i64, "{checks:?}");
    let funnel = store
        .funnel(&admin(), Some(djs[0]), &all, MIN_TALK)
        .await
        .unwrap();
    let funnel_counted = store
        .funnel_recount(&admin(), Some(djs[0]), &all, MIN_TALK)
        .await
        .unwrap();
    assert_ne!(
        funnel.paid, funnel_counted.paid,
        "the funnel reads its summaries"
    );
    store.rebuild_analytics().await.expect("rebuild");
    assert!(
        store
            .verify_analytics()
            .await
            .unwrap()
            .iter()
            .all(|c| c.differing == 0)
    );
    assert_exact(store, &djs, "rebuilt").await;

    // A service configured with another FOLLOWUP_MIN_TALK_SECONDS: its folder rebuilds the
    // funnel for it; a read for the old threshold counts from the calls.
    store.keep_funnel_for(300);
    store.fold_analytics().await.expect("fold");
    for r in ranges() {
        for profile in djs.iter().map(|d| Some(*d)).chain([None]) {
            let actor = profile.map_or(admin(), |p| dj(&[p]));
            for talk in [300, MIN_TALK] {
                let summed = store.funnel(&actor, profile, &r, talk).await.unwrap();
                let counted = store
                    .funnel_recount(&actor, profile, &r, talk)
                    .await
                    .unwrap();
                assert_eq!(summed, counted, "threshold {talk}: {profile:?} over {r:?}");
            }
        }
    }
    assert!(
        store
            .verify_analytics()
            .await
            .unwrap()
            .iter()
            .all(|c| c.differing == 0)
    );
}

/// Runs `sql` as the platform; returns the rows it changed.
async fn tamper(db: &TestDb, sql: &str) -> u64 {
    match raw(db).await {
        Raw::Pg(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.role', 'system', true)")
                .execute(&mut *tx)
                .await
                .unwrap();
            let n = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            n.rows_affected()
        }
        Raw::Lite(pool) => sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&pool)
            .await
            .unwrap()
            .rows_affected(),
    }
}
