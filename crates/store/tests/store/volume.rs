//! Story 7: analytics over thousands of calls are exact (no row cap), and the database's day
//! buckets agree with jiff's over two years of DST changes.

use crate::common::*;
use djcalls_domain::analytics::{Analytics, CallFigures, DayFigures};
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, Cents, CutRate, DjProfileId};
use djcalls_store::DbTime;
use djcalls_store::calls::{CallCursor, CallFilter};
use djcalls_testkit::TestDb;
use jiff::Timestamp;
use std::collections::BTreeMap;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    analytics_over_five_thousand_calls_are_exact => five_thousand;
}

const CALLS: usize = 5_000;

struct Gen {
    id: Uuid,
    profile: DjProfileId,
    at: Timestamp,
    event_type: Option<&'static str>,
    lead: &'static str,
    booked: bool,
    duration: Option<i32>,
    status: &'static str,
    answered: bool,
    voicemail: bool,
    link: bool,
    recording: Option<String>,
    transcription: Option<&'static str>,
    /// (row id, provider entry id, signed cents)
    ledger: Vec<(Uuid, String, i64)>,
}

fn generate(main: DjProfileId, other: DjProfileId) -> Vec<Gen> {
    let mut rng = Rng::new(0x5eed_0007);
    let from = ts("2025-01-01T00:00:00Z").as_microsecond();
    let span = ts("2027-01-01T00:00:00Z").as_microsecond() - from;
    let statuses = [
        "completed",
        "completed",
        "voicemail",
        "no-answer",
        "busy",
        "failed",
        "canceled",
    ];
    let events = [
        None,
        Some(""),
        Some("wedding"),
        Some("corporate"),
        Some("birthday"),
        Some("quinceañera"),
        Some("school dance"),
    ];
    let leads = ["hot", "warm", "cold"];
    (0..CALLS)
        .map(|i| {
            let status = statuses[rng.below(statuses.len() as u64) as usize];
            let answered = status == "completed";
            let voicemail = status == "voicemail";
            let duration = match rng.below(10) {
                0 => None,
                1 => Some(0),
                _ => Some(1 + rng.below(3_600) as i32),
            };
            let link = answered && rng.below(2) == 0;
            let mut ledger = Vec::new();
            if link && rng.below(3) == 0 {
                let paid = 1 + rng.below(100_000) as i64;
                ledger.push((rng.uuid(), format!("pi_{i}"), paid));
                if rng.below(4) == 0 {
                    let refund = -(1 + rng.below(paid as u64) as i64);
                    ledger.push((rng.uuid(), format!("re_{i}"), refund));
                }
            }
            let recording =
                ((answered || voicemail) && rng.below(10) < 7).then(|| format!("RE{i}"));
            let transcription = recording.as_ref().and_then(|_| match rng.below(5) {
                0..=2 => Some("completed"),
                3 => Some("failed"),
                _ => None,
            });
            Gen {
                id: rng.uuid(),
                profile: if rng.below(10) == 0 { other } else { main },
                at: Timestamp::from_microsecond(from + rng.below(span as u64) as i64).unwrap(),
                event_type: events[rng.below(events.len() as u64) as usize],
                lead: leads[rng.below(3) as usize],
                booked: !ledger.is_empty() || rng.below(6) == 0,
                duration,
                status,
                answered,
                voicemail,
                link,
                recording,
                transcription,
                ledger,
            }
        })
        .collect()
}

/// What the database should say, computed row by row in Rust.
fn expected(calls: &[Gen], profile: Option<DjProfileId>, range: &DateRange) -> Analytics {
    let mut f = CallFigures::default();
    let mut events: BTreeMap<Option<String>, i64> = BTreeMap::new();
    let mut days: BTreeMap<String, DayFigures> = BTreeMap::new();
    for c in calls
        .iter()
        .filter(|c| profile.is_none_or(|p| c.profile == p) && range.contains(c.at))
    {
        let n = |b: bool| i64::from(b);
        f.total_calls += 1;
        f.booked_calls += n(c.booked);
        f.answered_calls += n(c.answered);
        f.voicemails += n(c.voicemail);
        f.hot += n(c.lead == "hot");
        f.warm += n(c.lead == "warm");
        f.cold += n(c.lead == "cold");
        if let Some(d) = c.duration.filter(|d| *d > 0) {
            f.duration_sum_secs += i64::from(d);
            f.calls_with_duration += 1;
        }
        f.tipjar_links_sent += n(c.link);
        f.tipjar_payments_received += n(!c.ledger.is_empty());
        f.recordings += n(c.recording.is_some());
        f.transcriptions += n(c.transcription == Some("completed"));
        *events.entry(c.event_type.map(str::to_string)).or_default() += 1;
        let date = c.at.to_zoned_datetime(range.tz.clone()).date().to_string();
        let day = days.entry(date.clone()).or_insert_with(|| DayFigures {
            date,
            ..DayFigures::default()
        });
        day.calls += 1;
        day.answered += n(c.answered);
        day.booked += n(c.booked);
        for (_, _, cents) in &c.ledger {
            let (cut, share) = CutRate::DEFAULT.split(Cents(*cents));
            f.revenue_cents += cents;
            f.platform_cut_cents += cut.0;
            f.dj_revenue_cents += share.0;
            day.revenue_cents += cents;
        }
    }
    f.event_types = events.into_iter().collect();
    f.days = days.into_values().collect();
    Analytics::from(f)
}

/// Loads the generated calls and ledger with multi-row INSERTs (per-call transactions through
/// the store would dominate the suite's run time).
macro_rules! bulk_load {
    ($conn:expr, $calls:expr) => {{
        for chunk in $calls.chunks(500) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", event_type, lead_score, \
                 is_booked, call_duration_seconds, call_status, call_sid, tipjar_link_sent, \
                 tipjar_payment_received, tipjar_payment_amount_cents, answered, voicemail_left, \
                 recording_sid, transcription_status, source, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut row, c| {
                row.push_bind(c.id)
                    .push_bind(c.profile.0)
                    .push_bind(DbTime(c.at))
                    .push_bind(c.event_type)
                    .push_bind(c.lead)
                    .push_bind(c.booked)
                    .push_bind(c.duration)
                    .push_bind(c.status)
                    .push_bind(format!("CA{}", c.id.simple()))
                    .push_bind(c.link)
                    .push_bind(!c.ledger.is_empty())
                    .push_bind(c.ledger.iter().map(|(_, _, cents)| cents).sum::<i64>())
                    .push_bind(c.answered)
                    .push_bind(c.voicemail)
                    .push_bind(c.recording.clone())
                    .push_bind(c.transcription)
                    .push_bind("demo")
                    .push_bind(now())
                    .push_bind(now());
            });
            q.build()
                .execute(&mut *$conn)
                .await
                .expect("bulk insert calls");
        }
        let entries: Vec<(&Gen, &(Uuid, String, i64))> = $calls
            .iter()
            .flat_map(|c| c.ledger.iter().map(move |e| (c, e)))
            .collect();
        for chunk in entries.chunks(500) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, \
                 provider_entry_id, provider_payment_id, amount_cents, platform_cut_cents, \
                 dj_share_cents, currency, created_at) ",
            );
            q.push_values(chunk, |mut row, (c, (id, entry_id, cents))| {
                let (cut, share) = CutRate::DEFAULT.split(Cents(*cents));
                row.push_bind(*id)
                    .push_bind(c.id)
                    .push_bind(c.profile.0)
                    .push_bind("stripe")
                    .push_bind(if *cents < 0 { "refund" } else { "payment" })
                    .push_bind(entry_id.clone())
                    .push_bind(format!("pi_{}", c.id.simple()))
                    .push_bind(*cents)
                    .push_bind(cut.0)
                    .push_bind(share.0)
                    .push_bind("usd")
                    .push_bind(now());
            });
            q.build()
                .execute(&mut *$conn)
                .await
                .expect("bulk insert payments");
        }
        entries.len()
    }};
}

async fn five_thousand(db: &TestDb) {
    let store = &db.store;
    let (main, other) = (profile(1), profile(2));
    create_profile(store, main, "busy-bee", "Busy Bee").await;
    create_profile(store, other, "side-gig", "Side Gig").await;
    let calls = generate(main, other);
    let raw = raw(db).await;
    let entries = raw_tx!(&raw, commit, |conn| bulk_load!(conn, calls));
    assert!(
        entries > 200,
        "the data set has a real ledger ({entries} entries)"
    );

    // Everything, platform-wide, in UTC: exactly 5000 calls.
    let everything = range(None, None, None);
    let got = analytics(store, &Actor::Service, None, &everything).await;
    assert_eq!(got.total_calls, CALLS as i64);
    assert_eq!(got, expected(&calls, None, &everything));
    assert_eq!(
        got.calls_by_day.iter().map(|d| d.calls).sum::<i64>(),
        CALLS as i64
    );

    for (profile, range) in [
        (Some(main), range(None, None, Some("America/New_York"))),
        (Some(other), range(None, None, Some("Australia/Sydney"))),
        (
            Some(main),
            range(
                Some("2025-06-15"),
                Some("2026-02-10"),
                Some("America/Los_Angeles"),
            ),
        ),
        (
            None,
            range(
                Some("2025-03-30"),
                Some("2026-10-25"),
                Some("Europe/London"),
            ),
        ),
    ] {
        let got = analytics(store, &Actor::Service, profile, &range).await;
        assert_eq!(
            got,
            expected(&calls, profile, &range),
            "{profile:?} {range:?}"
        );
    }
    // A DJ actor's own figures are the same as the service's.
    let ny = range(None, None, Some("America/New_York"));
    assert_eq!(
        analytics(store, &dj(&[main]), Some(main), &ny).await,
        expected(&calls, Some(main), &ny)
    );

    // Listing pages through all of them too.
    let mut listed = 0;
    let mut cursor = None;
    loop {
        let page = store
            .list_calls(&Actor::Service, &CallFilter::default(), cursor, 1_000)
            .await
            .unwrap();
        listed += page.len();
        let Some(last) = page.last() else { break };
        cursor = Some(CallCursor {
            timestamp: last.timestamp,
            id: last.id.0,
        });
    }
    assert_eq!(listed, CALLS);
}
