//! Story 1: SPEC §6 analytics worked out by hand over a small fixed set of calls.

mod fixture;

use crate::common::*;
use djcalls_domain::analytics::{Analytics, CallFigures, DayFigures, LeadScoreBreakdown};
use djcalls_domain::{Actor, CallStatus, DjProfileId, LeadScore};
use djcalls_store::analytics::TopDj;
use djcalls_testkit::TestDb;
use std::collections::BTreeMap;

djcalls_testkit::on_both_backends! { &TestDb:
    a_djs_analytics_equal_the_figures_worked_out_by_hand => by_hand;
}

const A: u128 = 1;
const B: u128 = 2;
const C: u128 = 3;
const D: u128 = 4;
const E: u128 = 5;
const F: u128 = 6;

fn day(date: &str, calls: i64, answered: i64, booked: i64, revenue_cents: i64) -> DayFigures {
    DayFigures {
        date: date.to_string(),
        calls,
        answered,
        booked,
        revenue_cents,
    }
}

fn breakdown(entries: &[(&str, i64)]) -> BTreeMap<String, i64> {
    entries.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn top(
    id: DjProfileId,
    slug: &str,
    name: &str,
    calls: i64,
    booked: i64,
    revenue: i64,
    cut: i64,
) -> TopDj {
    TopDj {
        dj_profile_id: id,
        dj_name: name.to_string(),
        dj_slug: slug.to_string(),
        calls,
        booked,
        revenue_cents: revenue,
        platform_cut_cents: cut,
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

async fn by_hand(db: &TestDb) {
    let store = &db.store;
    let fixture::Djs { a, b, c, d, e, f } = fixture::seed(db).await;
    let march = range(Some("2026-03-01"), Some("2026-03-31"), Some("UTC"));

    // A in March:
    //   totalCalls 12; booked a1 a2 a9 a10 a12 = 5 → conversionRate 5/12 = 41.666… → 41.67
    //   lead: hot a1 a2 a9 a11 a12 = 5, warm a3 a4 a8 a10 = 4, cold a5 a6 a7 = 3
    //   event types: wedding a1 a2 a9 a10 = 4, corporate a3 a8 = 2, birthday a7 a11 = 2,
    //     unknown = None (a4 a5) + "" (a6 a12) = 4: an empty event type counts as unknown
    //   avgCallDuration: durations > 0 are 120 300 45 30 61 200 15 9 = 780 over 8 = 97.5 → 98
    //     (0 and None are left out: over 12 calls it would be 65, over 10 it would be 78)
    //   links a1 a2 a9 a10 a12 = 5; payments received a1 a2 a9 a10 = 4 (a9 was refunded in
    //     full but a payment was received; its revenue nets to 0)
    //   recordings a1 a2 a3 a4 a9 a12 = 6; transcripts completed a1 a2 a3 a12 = 4 → 66.67
    //   answered a1 a2 a9 a10 a11 a12 = 6, missed 6, voicemails a3 a4 = 2, answerRate 50
    //   days: 03-02 a1 a2 | 03-03 a3 a4 a5 | 03-05 a6 a7 | 03-10 a8 a9 | 03-15 a10 |
    //         03-20 a11 | 03-31 a12
    let expected_a = Analytics {
        total_calls: 12,
        booked_calls: 5,
        conversion_rate: 41.67,
        total_revenue: 239.94,
        platform_cut: 36.0,
        dj_revenue: 203.94,
        total_revenue_cents: 23_994,
        platform_cut_cents: 3_600,
        dj_revenue_cents: 20_394,
        lead_score_breakdown: LeadScoreBreakdown {
            hot: 5,
            warm: 4,
            cold: 3,
        },
        event_type_breakdown: breakdown(&[
            ("birthday", 2),
            ("corporate", 2),
            ("unknown", 4),
            ("wedding", 4),
        ]),
        avg_call_duration: 98,
        tipjar_links_sent: 5,
        // a1, a2, a10: a9 was refunded in full, so it no longer counts as paid (SPEC §11).
        tipjar_payments_received: 3,
        missed_call_texts_sent: 0,
        missed_call_text_payments: 0,
        recordings_count: 6,
        transcriptions_count: 4,
        transcription_success_rate: 66.67,
        answered_calls: 6,
        missed_calls: 6,
        voicemails: 2,
        answer_rate: 50.0,
        calls_by_day: vec![
            day("2026-03-02", 2, 2, 2, 23_989),
            day("2026-03-03", 3, 0, 0, 0),
            day("2026-03-05", 2, 0, 0, 0),
            day("2026-03-10", 2, 1, 1, 0),
            day("2026-03-15", 1, 1, 1, 5),
            day("2026-03-20", 1, 1, 0, 0),
            day("2026-03-31", 1, 1, 1, 0),
        ],
    };
    let got = analytics(store, &Actor::Service, Some(a), &march).await;
    assert_eq!(got, expected_a);
    assert_eq!(
        got.platform_cut_cents + got.dj_revenue_cents,
        got.total_revenue_cents
    );
    // The DJ sees exactly the same figures for their own profile.
    assert_eq!(
        analytics(store, &dj(&[a]), Some(a), &march).await,
        expected_a
    );

    // The whole platform in March adds B:
    //   total 15; booked 5 + b1 = 6 → 40; revenue 23994 + 20000 = 43994, cut 3600 + 3000 = 6600,
    //   dj 20394 + 17000 = 37394; lead hot 6 warm 5 cold 4; wedding 5, corporate 3,
    //   birthday 2, unknown 4 + b2 = 5; avg (780 + 600 + 20) / 10 = 140; links 6;
    //   payments 5; recordings 7, transcripts 5 → 71.43; answered 7, missed 8,
    //   voicemails 3, answerRate 7/15 = 46.67
    let expected_platform = Analytics {
        total_calls: 15,
        booked_calls: 6,
        conversion_rate: 40.0,
        total_revenue: 439.94,
        platform_cut: 66.0,
        dj_revenue: 373.94,
        total_revenue_cents: 43_994,
        platform_cut_cents: 6_600,
        dj_revenue_cents: 37_394,
        lead_score_breakdown: LeadScoreBreakdown {
            hot: 6,
            warm: 5,
            cold: 4,
        },
        event_type_breakdown: breakdown(&[
            ("birthday", 2),
            ("corporate", 3),
            ("unknown", 5),
            ("wedding", 5),
        ]),
        avg_call_duration: 140,
        tipjar_links_sent: 6,
        // As DJ A's, less a9 (refunded in full).
        tipjar_payments_received: 4,
        missed_call_texts_sent: 0,
        missed_call_text_payments: 0,
        recordings_count: 7,
        transcriptions_count: 5,
        transcription_success_rate: 71.43,
        answered_calls: 7,
        missed_calls: 8,
        voicemails: 3,
        answer_rate: 46.67,
        calls_by_day: vec![
            day("2026-03-02", 3, 3, 3, 43_989),
            day("2026-03-03", 3, 0, 0, 0),
            day("2026-03-04", 1, 0, 0, 0),
            day("2026-03-05", 2, 0, 0, 0),
            day("2026-03-10", 3, 1, 1, 0),
            day("2026-03-15", 1, 1, 1, 5),
            day("2026-03-20", 1, 1, 0, 0),
            day("2026-03-31", 1, 1, 1, 0),
        ],
    };
    assert_eq!(
        analytics(store, &Actor::Service, None, &march).await,
        expected_platform
    );
    assert_eq!(
        analytics(store, &admin(), None, &march).await,
        expected_platform
    );

    // A DJ without calls gets zeros everywhere, not an error.
    let empty = store
        .call_figures(&Actor::Service, Some(f), &march)
        .await
        .unwrap();
    assert_eq!(empty, CallFigures::default());
    let empty = Analytics::from(empty);
    assert_eq!(empty.conversion_rate, 0.0);
    assert_eq!(empty.transcription_success_rate, 0.0);
    assert_eq!(empty.answer_rate, 0.0);
    assert_eq!(empty.avg_call_duration, 0);

    // Top DJs: most revenue first, then most calls, then slug.
    let a_top = |calls, booked, revenue, cut| {
        top(a, "alpha-beats", "Alpha Beats", calls, booked, revenue, cut)
    };
    let b_top = top(b, "bravo-sound", "Bravo Sound", 3, 1, 20_000, 3_000);
    let c_top = top(c, "charlie-mix", "Charlie Mix", 2, 0, 0, 0);
    let d_top = top(d, "delta-decks", "Delta Decks", 3, 1, 0, 0);
    let e_top = top(e, "echo-events", "Echo Events", 2, 0, 0, 0);
    assert_eq!(
        store.top_djs(&admin(), &march, 10).await.unwrap(),
        vec![a_top(12, 5, 23_994, 3_600), b_top.clone()]
    );
    assert_eq!(
        store.top_djs(&admin(), &march, 1).await.unwrap(),
        vec![a_top(12, 5, 23_994, 3_600)]
    );
    // April: A's one call a13 with 1000.00; D (3 calls) before C and E (2 calls each, by slug).
    let april = range(Some("2026-04-01"), Some("2026-04-30"), None);
    assert_eq!(
        store.top_djs(&Actor::Service, &april, 10).await.unwrap(),
        vec![
            a_top(1, 1, 100_000, 15_000),
            d_top.clone(),
            c_top.clone(),
            e_top.clone()
        ]
    );
    // All time: A has a0 (booked) and a13 (booked by its payment) too: 14 calls, 7 booked,
    // 23994 + 100000 = 123994 cents, cut 3600 + 15000 = 18600.
    let all = range(None, None, None);
    assert_eq!(
        store.top_djs(&Actor::Service, &all, 10).await.unwrap(),
        vec![a_top(14, 7, 123_994, 18_600), b_top, d_top, c_top, e_top]
    );
}
