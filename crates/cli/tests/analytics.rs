//! `djcalls analytics verify` and `rebuild` (issue 9 part 2) as an operator runs them: on a
//! database with calls and payments, `verify` passes; after a summary is damaged (as a
//! restore from an old backup would leave it) it fails naming the table; `rebuild` repairs it.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;
use support::djcalls;

use djcalls_domain::{Actor, CallId, CallSource, CallStatus, CutRate, DjProfileId, LeadScore};
use djcalls_store::calls::NewCall;
use djcalls_store::payments::NewPayment;
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;
use std::process::Output;

fn run(url: &str, command: &str) -> Output {
    djcalls()
        .args(["analytics", command])
        .env("DATABASE_URL", url)
        .output()
        .unwrap()
}

async fn seed(store: &Store) {
    let dj = DjProfileId(uuid::Uuid::from_u128(
        0x0d1a_0000_0000_4000_8000_0000_0000_0a01,
    ));
    let now = DbTime(jiff::Timestamp::now());
    let fields = ProfileFields {
        dj_name: "DJ Verify".into(),
        dj_slug: "dj-verify".into(),
        is_published: true,
        timezone: "America/Chicago".into(),
        real_phone_number: None,
    };
    store
        .upsert_profile(&Actor::System, dj, &fields, now)
        .await
        .unwrap();
    for i in 0..20 {
        let call = NewCall {
            id: CallId::new_v7(),
            dj_profile_id: dj,
            virtual_number: None,
            caller_number: Some(format!("+1312555{i:04}")),
            caller_name: None,
            timestamp: DbTime(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(7 * i)),
            page_url: None,
            event_type: (i % 2 == 0).then(|| "wedding".to_string()),
            lead_score: LeadScore::Warm,
            is_booked: i % 3 == 0,
            call_duration_seconds: Some(60 + i as i32),
            call_status: CallStatus::Completed,
            call_sid: None,
            notes: None,
            source: CallSource::Api,
            answered: true,
            talk_seconds: Some(60),
            voicemail_left: false,
            recording_sid: None,
            transcription_status: None,
            transcription_text: None,
            tipjar_link_sent: true,
        };
        let call = store
            .insert_call(&Actor::Service, &call, now)
            .await
            .unwrap();
        let payment = NewPayment {
            call_id: call.id,
            dj_profile_id: dj,
            provider: "stripe".into(),
            provider_entry_id: format!("pi_{i}"),
            provider_payment_id: format!("pi_{i}"),
            amount: djcalls_domain::Cents(10_000 + i),
            currency: "usd".into(),
            at: now,
        };
        store
            .record_payment(&Actor::System, &payment, CutRate::DEFAULT)
            .await
            .unwrap();
    }
}

async fn damage(db: &TestDb) {
    let sql = "UPDATE analytics_dj_days SET revenue_cents = revenue_cents + 1";
    match db.store.pg_pool() {
        Some(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.role', 'system', true)")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
        None => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
    }
}

async fn verify_then_rebuild(db: TestDb) {
    seed(&db.store).await;
    let ok = run(&db.url, "verify");
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        stdout.contains("every analytics summary equals a recount"),
        "{stdout}"
    );

    damage(&db).await;
    let bad = run(&db.url, "verify");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("analytics_dj_days") && !l.contains(" 0 differing")),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("analytics rebuild"));

    let rebuilt = run(&db.url, "rebuild");
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert!(run(&db.url, "verify").status.success());
}

#[tokio::test]
async fn verify_finds_a_damaged_summary_and_rebuild_repairs_it_on_sqlite() {
    verify_then_rebuild(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn verify_finds_a_damaged_summary_and_rebuild_repairs_it_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    verify_then_rebuild(db).await;
}

/// `djcalls bench --case analytics` at a tiny scale on `db`: it fails unless every answer —
/// the §6 analytics and the §15 sources and funnel — equals the seed's approach on the same
/// rows; each case prints its figures; a second run measures the same data set again.
fn bench_analytics(url: &str) -> String {
    let output = djcalls()
        .args([
            "bench",
            "--case",
            "analytics",
            "--analytics-scale",
            "0.001",
            "--analytics-runs",
            "2",
            "--database-url",
            url,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn assert_every_case_measured(stdout: &str) {
    let cases: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("seed/djcalls"))
        .collect();
    assert_eq!(cases.len(), 15, "{stdout}");
    assert!(
        cases.iter().all(|l| l.ends_with("same figures")),
        "{stdout}"
    );
    for report in ["sources", "funnel"] {
        for scope in [
            "one DJ, 100 calls, all time",
            "a typical DJ",
            "admin, whole platform, all time",
            "admin, whole platform, 30 days",
        ] {
            let name = format!("{report}: {scope}");
            assert!(cases.iter().any(|l| l.contains(&name)), "{name}: {stdout}");
        }
    }
}

async fn bench_reports_at_a_tiny_scale(db: TestDb) {
    let first = bench_analytics(&db.url);
    assert_every_case_measured(&first);
    let seeded = first.lines().find(|l| l.starts_with("analytics: "));
    assert!(
        seeded.is_some_and(|l| l.contains("widget clicks")),
        "{first}"
    );
    let again = bench_analytics(&db.url);
    assert_every_case_measured(&again);
}

#[tokio::test]
async fn bench_measures_the_reports_beside_the_seeds_approach_on_sqlite() {
    bench_reports_at_a_tiny_scale(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn bench_measures_the_reports_beside_the_seeds_approach_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    bench_reports_at_a_tiny_scale(db).await;
}

/// A database seeded by the older data set (calls, no clicks) is refused with what to do,
/// not measured as if it had attribution.
#[tokio::test]
async fn bench_refuses_the_older_data_set_without_clicks() {
    let db = TestDb::sqlite().await;
    // The busiest DJ of the data set (`bench/analytics_data.rs`) with a call and no click.
    let big = DjProfileId(uuid::Uuid::from_u128(
        0x0be0_0000_0000_4000_8000_0000_0000_0000,
    ));
    let now = DbTime(jiff::Timestamp::now());
    let fields = ProfileFields {
        dj_name: "Bench DJ 0".into(),
        dj_slug: "bench-dj-0".into(),
        is_published: true,
        timezone: "America/New_York".into(),
        real_phone_number: None,
    };
    db.store
        .upsert_profile(&Actor::System, big, &fields, now)
        .await
        .unwrap();
    let call = NewCall {
        id: CallId::new_v7(),
        dj_profile_id: big,
        virtual_number: None,
        caller_number: None,
        caller_name: None,
        timestamp: now,
        page_url: None,
        event_type: None,
        lead_score: LeadScore::Cold,
        is_booked: false,
        call_duration_seconds: Some(30),
        call_status: CallStatus::Completed,
        call_sid: None,
        notes: None,
        source: CallSource::Api,
        answered: true,
        talk_seconds: Some(30),
        voicemail_left: false,
        recording_sid: None,
        transcription_status: None,
        transcription_text: None,
        tipjar_link_sent: false,
    };
    db.store
        .insert_calls_bulk(&Actor::System, &[call], now)
        .await
        .unwrap();
    let output = djcalls()
        .args(["bench", "--case", "analytics", "--database-url", &db.url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("older djcalls bench") && stderr.contains("empty database"),
        "{stderr}"
    );
}
