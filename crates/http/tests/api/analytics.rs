//! SPEC §6 through the API: a fixed set of calls and payments, and every analytics field
//! compared with figures worked out by hand. Runs on SQLite and PostgreSQL.

use super::support::{DJ_A, DJ_B, World, get, ledger};
use serde_json::{Value, json};

/// Logs the fixture and returns the world. Times are UTC; the range under test is
/// 2026-06-01..=2026-06-10 read in America/Chicago (UTC−5 in June), i.e.
/// [2026-06-01T05:00Z, 2026-06-11T05:00Z).
async fn fixture(w: &World) {
    let a = DJ_A.to_string();
    let b = DJ_B.to_string();
    // c1: one second before the range starts in Chicago (still May 31 there).
    let c1 = w
        .log_call(
            json!({"dj_profile_id": a, "timestamp": "2026-06-01T04:59:59Z",
            "call_status": "completed", "call_duration_seconds": 30, "lead_score": "hot",
            "event_type": "wedding", "call_sid": "CA01"}),
        )
        .await;
    // c2: the first instant of the range.
    let c2 = w
        .log_call(
            json!({"dj_profile_id": a, "timestamp": "2026-06-01T05:00:00Z",
            "call_status": "completed", "call_duration_seconds": 120, "lead_score": "hot",
            "event_type": "wedding", "is_booked": true, "call_sid": "CA02"}),
        )
        .await;
    // c3: June 2 in UTC but 22:30 on June 1 in Chicago; missed, no event type.
    w.log_call(
        json!({"dj_profile_id": a, "timestamp": "2026-06-02T03:30:00Z",
        "call_status": "no-answer", "call_duration_seconds": 0, "lead_score": "warm",
        "call_sid": "CA03"}),
    )
    .await;
    // c4: a voicemail.
    w.log_call(
        json!({"dj_profile_id": a, "timestamp": "2026-06-03T15:00:00Z",
        "call_status": "voicemail", "call_duration_seconds": 45, "lead_score": "cold",
        "event_type": "corporate", "call_sid": "CA04"}),
    )
    .await;
    // c5: answered, not marked booked, but paid (which books it) and partly refunded.
    let c5 = w
        .log_call(
            json!({"dj_profile_id": a, "timestamp": "2026-06-03T16:00:00Z",
            "call_status": "completed", "call_duration_seconds": 300, "lead_score": "hot",
            "event_type": "Wedding", "call_sid": "CA05"}),
        )
        .await;
    // c6: the last second of the range in Chicago (June 11 in UTC); busy but booked.
    w.log_call(
        json!({"dj_profile_id": a, "timestamp": "2026-06-11T04:59:59Z",
        "call_status": "busy", "call_duration_seconds": 1, "lead_score": "warm",
        "event_type": "birthday", "is_booked": true, "call_sid": "CA06"}),
    )
    .await;
    // c7: the first instant after the range, with a big payment that must not count.
    let c7 = w
        .log_call(
            json!({"dj_profile_id": a, "timestamp": "2026-06-11T05:00:00Z",
            "call_status": "completed", "call_duration_seconds": 600, "lead_score": "cold",
            "event_type": "corporate", "call_sid": "CA07"}),
        )
        .await;
    // c8: neither status nor duration nor lead score: ringing and hot by default.
    w.log_call(
        json!({"dj_profile_id": a, "timestamp": "2026-06-07T18:00:00Z",
        "event_type": "party", "call_sid": "CA08"}),
    )
    .await;
    // DJ B's one call.
    let b1 = w
        .log_call(
            json!({"dj_profile_id": b, "timestamp": "2026-06-05T12:00:00Z",
            "call_status": "completed", "call_duration_seconds": 60, "lead_score": "hot",
            "event_type": "wedding", "call_sid": "CB01"}),
        )
        .await;

    // Cuts at 15 %, half up per payment: 5000 → 750; 15000 → 2250; 9990 → 1498.5 → 1499;
    // refund −1001 → the payment's cut in proportion, 1499 × 1001 / 9990 = 150.2 → −150;
    // 100000 → 15000; 20000 → 3000.
    ledger(&w.t, &c1, "pi_c1", 5_000, "2026-06-01T06:00:00Z").await;
    ledger(&w.t, &c2, "pi_c2", 15_000, "2026-06-01T06:00:00Z").await;
    // Paid and refunded on later days: revenue still belongs to the call's day.
    ledger(&w.t, &c5, "pi_c5", 9_990, "2026-06-12T10:00:00Z").await;
    ledger(&w.t, &c5, "re_c5", -1_001, "2026-06-13T10:00:00Z").await;
    ledger(&w.t, &c7, "pi_c7", 100_000, "2026-06-11T06:00:00Z").await;
    ledger(&w.t, &b1, "pi_b1", 20_000, "2026-06-05T13:00:00Z").await;
}

const RANGE: &str = "start_date=2026-06-01&end_date=2026-06-10&tz=America/Chicago";

/// DJ A's analytics over `RANGE`, by hand:
/// in range: c2, c3, c4, c5, c6, c8 (six calls).
fn expected_for_dj_a() -> Value {
    json!({
        "totalCalls": 6,
        // c2 (marked), c5 (paid), c6 (marked).
        "bookedCalls": 3,
        "conversionRate": 50.0,
        // 15000 + 9990 − 1001.
        "totalRevenueCents": 23_989,
        // 2250 + 1499 − 150 (15 % of the total would be 3598).
        "platformCutCents": 3_599,
        "djRevenueCents": 20_390,
        "totalRevenue": 239.89,
        "platformCut": 35.99,
        "djRevenue": 203.9,
        "leadScoreBreakdown": {"hot": 3, "warm": 2, "cold": 1},
        "eventTypeBreakdown": {"wedding": 2, "unknown": 1, "corporate": 1, "birthday": 1, "party": 1},
        // (120 + 45 + 300 + 1) / 4 = 116.5 → 117; c3 (0 s) and c8 (none) don't count.
        "avgCallDuration": 117,
        "tipjarLinksSent": 0,
        "tipjarPaymentsReceived": 2,
        "missedCallTextsSent": 0,
        "missedCallTextPayments": 0,
        "recordingsCount": 0,
        "transcriptionsCount": 0,
        "transcriptionSuccessRate": 0.0,
        "answeredCalls": 2,
        "missedCalls": 4,
        "voicemails": 1,
        // 2 / 6.
        "answerRate": 33.33,
        "callsByDay": [
            {"date": "2026-06-01", "calls": 2, "answered": 1, "booked": 1, "revenueCents": 15_000},
            {"date": "2026-06-03", "calls": 2, "answered": 1, "booked": 1, "revenueCents": 8_989},
            {"date": "2026-06-07", "calls": 1, "answered": 0, "booked": 0, "revenueCents": 0},
            {"date": "2026-06-10", "calls": 1, "answered": 0, "booked": 1, "revenueCents": 0},
        ],
    })
}

/// The platform over `RANGE`: DJ A's six calls plus B's b1.
fn expected_for_the_platform() -> Value {
    let days = json!([
        {"date": "2026-06-01", "calls": 2, "answered": 1, "booked": 1, "revenueCents": 15_000},
        {"date": "2026-06-03", "calls": 2, "answered": 1, "booked": 1, "revenueCents": 8_989},
        {"date": "2026-06-05", "calls": 1, "answered": 1, "booked": 1, "revenueCents": 20_000},
        {"date": "2026-06-07", "calls": 1, "answered": 0, "booked": 0, "revenueCents": 0},
        {"date": "2026-06-10", "calls": 1, "answered": 0, "booked": 1, "revenueCents": 0},
    ]);
    json!({
        "totalCalls": 7,
        "bookedCalls": 4,
        // 4 / 7 = 57.142…
        "conversionRate": 57.14,
        "totalRevenueCents": 43_989,
        "platformCutCents": 6_599,
        "djRevenueCents": 37_390,
        "totalRevenue": 439.89,
        "platformCut": 65.99,
        "djRevenue": 373.9,
        "leadScoreBreakdown": {"hot": 4, "warm": 2, "cold": 1},
        "eventTypeBreakdown": {"wedding": 3, "unknown": 1, "corporate": 1, "birthday": 1, "party": 1},
        // (466 + 60) / 5 = 105.2.
        "avgCallDuration": 105,
        "tipjarLinksSent": 0,
        "tipjarPaymentsReceived": 3,
        // No missed-call texts here (webhooks/followup/languages.rs counts them).
        "missedCallTextsSent": 0,
        "missedCallTextPayments": 0,
        "recordingsCount": 0,
        "transcriptionsCount": 0,
        "transcriptionSuccessRate": 0.0,
        "answeredCalls": 3,
        "missedCalls": 4,
        "voicemails": 1,
        // 3 / 7 = 42.857…
        "answerRate": 42.86,
        "callsByDay": days,
        "callVolume": days,
        "topDjs": [
            {"djProfileId": DJ_A.to_string(), "djName": "dj-a", "djSlug": "dj-a", "calls": 6,
             "bookedCalls": 3, "revenue": 239.89, "revenueCents": 23_989, "platformCutCents": 3_599},
            {"djProfileId": DJ_B.to_string(), "djName": "dj-b", "djSlug": "dj-b", "calls": 1,
             "bookedCalls": 1, "revenue": 200.0, "revenueCents": 20_000, "platformCutCents": 3_000},
        ],
    })
}

/// Field-by-field, so a failure names the field rather than dumping two objects.
#[track_caller]
fn assert_fields(actual: &Value, expected: &Value, label: &str) {
    let (Some(actual), Some(expected)) = (actual.as_object(), expected.as_object()) else {
        panic!("{label}: not objects");
    };
    for (key, want) in expected {
        assert_eq!(actual.get(key), Some(want), "{label}: {key}");
    }
    for key in actual.keys() {
        assert!(
            expected.contains_key(key),
            "{label}: unexpected field {key}"
        );
    }
}

async fn analytics_match_hand_computed_figures(w: World) {
    fixture(&w).await;

    let path = format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}&{RANGE}");
    for token in [w.service, w.admin.as_str(), w.dj_a.as_str()] {
        let reply = get(&w.t, &path, token).await;
        assert_fields(&reply.ok(200)["analytics"], &expected_for_dj_a(), "dj a");
    }
    // The DJ's one profile is the default scope.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls/analytics?{RANGE}"),
        &w.dj_a,
    )
    .await;
    assert_fields(
        &reply.ok(200)["analytics"],
        &expected_for_dj_a(),
        "dj a, implicit",
    );

    // Admins and the service see the platform, with top DJs and call volume.
    for token in [w.service, w.admin.as_str()] {
        let reply = get(&w.t, &format!("/api/djdash/admin/analytics?{RANGE}"), token).await;
        assert_fields(
            &reply.ok(200)["analytics"],
            &expected_for_the_platform(),
            "platform",
        );
        // Unscoped per-DJ analytics for the platform are the same totals.
        let reply = get(&w.t, &format!("/api/djdash/calls/analytics?{RANGE}"), token).await;
        let mut totals = expected_for_the_platform();
        let totals_map = totals.as_object_mut().expect("object");
        totals_map.remove("topDjs");
        totals_map.remove("callVolume");
        assert_fields(
            &reply.ok(200)["analytics"],
            &totals,
            "platform via calls/analytics",
        );
    }

    // The same dates read in UTC: c1 comes in, c6 drops out, and c3 moves to June 2.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}&start_date=2026-06-01&end_date=2026-06-10"),
        w.service,
    )
    .await;
    let utc = &reply.ok(200)["analytics"];
    assert_eq!(utc["totalCalls"], json!(6));
    assert_eq!(utc["bookedCalls"], json!(3));
    assert_eq!(utc["totalRevenueCents"], json!(28_989));
    assert_eq!(utc["platformCutCents"], json!(4_349));
    assert_eq!(
        utc["callsByDay"],
        json!([
            {"date": "2026-06-01", "calls": 2, "answered": 2, "booked": 2, "revenueCents": 20_000},
            {"date": "2026-06-02", "calls": 1, "answered": 0, "booked": 0, "revenueCents": 0},
            {"date": "2026-06-03", "calls": 2, "answered": 1, "booked": 1, "revenueCents": 8_989},
            {"date": "2026-06-07", "calls": 1, "answered": 0, "booked": 0, "revenueCents": 0},
        ])
    );

    // RFC 3339 bounds: an end instant is included.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}&start_date=2026-06-01T05:00:00Z&end_date=2026-06-11T04:59:59Z&tz=America/Chicago"),
        w.service,
    )
    .await;
    assert_fields(
        &reply.ok(200)["analytics"],
        &expected_for_dj_a(),
        "rfc 3339 bounds, chicago days",
    );

    // No range: all eight of A's calls and all of their money.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}"),
        w.service,
    )
    .await;
    let all = &reply.ok(200)["analytics"];
    assert_eq!(all["totalCalls"], json!(8));
    assert_eq!(
        all["totalRevenueCents"],
        json!(5_000 + 15_000 + 8_989 + 100_000)
    );
    assert_eq!(all["platformCutCents"], json!(750 + 2_250 + 1_349 + 15_000));

    // A range with no calls: zeros, never a division by zero.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls/analytics?dj_profile_id={DJ_A}&start_date=2020-01-01&end_date=2020-01-31"),
        w.service,
    )
    .await;
    let empty = &reply.ok(200)["analytics"];
    for (field, zero) in [
        ("totalCalls", json!(0)),
        ("conversionRate", json!(0.0)),
        ("answerRate", json!(0.0)),
        ("avgCallDuration", json!(0)),
        ("totalRevenueCents", json!(0)),
        ("totalRevenue", json!(0.0)),
        ("transcriptionSuccessRate", json!(0.0)),
        ("callsByDay", json!([])),
        ("eventTypeBreakdown", json!({})),
        (
            "leadScoreBreakdown",
            json!({"hot": 0, "warm": 0, "cold": 0}),
        ),
    ] {
        assert_eq!(empty[field], zero, "empty range: {field}");
    }

    // The paid call shows its payment net of the refund, and the payment booked it.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?dj_profile_id={DJ_A}&start_date=2026-06-03T16:00:00Z&end_date=2026-06-03T16:00:00Z"),
        w.service,
    )
    .await;
    let calls = reply.ok(200)["calls"].as_array().expect("calls").clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["call_sid"], json!("CA05"));
    assert_eq!(calls[0]["event_type"], json!("wedding"));
    assert_eq!(calls[0]["is_booked"], json!(true));
    assert_eq!(calls[0]["tipjar_payment_received"], json!(true));
    assert_eq!(calls[0]["tipjar_payment_amount"], json!(89.89));
}

#[tokio::test]
async fn analytics_match_figures_worked_out_by_hand_on_sqlite() {
    analytics_match_hand_computed_figures(World::sqlite().await).await;
}

#[tokio::test]
async fn analytics_match_figures_worked_out_by_hand_on_postgres() {
    let Some(world) = World::postgres().await else {
        return;
    };
    analytics_match_hand_computed_figures(world).await;
}
