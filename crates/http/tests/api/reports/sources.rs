//! `GET /api/djdash/reports/sources` and `PUT /api/djdash/reports/spend`: rows keyed by the
//! attribution, spend prorated by days, sums equal to the SPEC §6 totals, bad input named.

use super::support::*;
use crate::support::{get, ledger, post, put};
use djcalls_testkit::{TestApp, on_both_backends};
use serde_json::{Value, json};

const DAY: &str = "start_date=2026-06-15&end_date=2026-06-15&tz=America/New_York";
const JUNE: &str = "start_date=2026-06-01&end_date=2026-06-30&tz=America/New_York";

/// Four calls: a UTM-tagged click (paid 100.00), a click with only a gclid, a Facebook click
/// (paid 50.00, 10.00 refunded) and a call logged without a click (booked).
async fn fixture(t: &TestApp, w: &ReportWorld) {
    clicked_call(
        t,
        w,
        json!({"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "summer"}),
    )
    .await;
    clicked_call(t, w, json!({"gclid": "gclid-1"})).await;
    clicked_call(
        t,
        w,
        json!({"utm_source": "facebook", "utm_medium": "social"}),
    )
    .await;
    let logged = post(
        t,
        "/api/djdash/calls",
        t.service_key(),
        &json!({
        "dj_profile_id": w.dj, "timestamp": "2026-06-15T20:00:00Z",
        "call_status": "completed", "call_duration_seconds": 40, "is_booked": true}),
    )
    .await;
    logged.ok(201);
    let calls = t.calls_of(w.dj).await;
    let by_source = |s: &str| {
        calls
            .iter()
            .find(|c| c["attribution"]["utm_source"] == json!(s))
            .unwrap()
            .clone()
    };
    ledger(
        t,
        &by_source("google"),
        "pi_google",
        10_000,
        "2026-06-15T18:00:00Z",
    )
    .await;
    let facebook = by_source("facebook");
    ledger(t, &facebook, "pi_fb", 5_000, "2026-06-15T18:00:00Z").await;
    ledger(t, &facebook, "re_fb", -1_000, "2026-06-16T18:00:00Z").await;
}

fn row<'a>(rows: &'a [Value], source: &str, medium: Value, campaign: Value) -> &'a Value {
    rows.iter()
        .find(|r| {
            r["source"] == json!(source) && r["medium"] == medium && r["campaign"] == campaign
        })
        .unwrap_or_else(|| panic!("no row {source} {medium} {campaign} in {rows:?}"))
}

fn sum(rows: &[Value], field: &str) -> i64 {
    rows.iter().map(|r| r[field].as_i64().unwrap()).sum()
}

async fn sources(t: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = get(t, &format!("/api/djdash/reports/sources?{query}"), token).await;
    r.ok(200)["sources"].as_array().unwrap().clone()
}

/// The rows' sums equal the analytics' totals for the same range and caller.
async fn assert_sums_match_analytics(t: &TestApp, token: &str, query: &str) {
    let rows = sources(t, token, query).await;
    let a = get(t, &format!("/api/djdash/calls/analytics?{query}"), token).await;
    let a = a.ok(200)["analytics"].clone();
    for (field, total) in [
        ("calls", "totalCalls"),
        ("answered", "answeredCalls"),
        ("booked", "bookedCalls"),
        ("paid", "tipjarPaymentsReceived"),
        ("revenueCents", "totalRevenueCents"),
    ] {
        assert_eq!(
            json!(sum(&rows, field)),
            a[total],
            "{field} vs {total} ({query})"
        );
    }
}

async fn rows_by_source_with_spend(t: TestApp) {
    let w = report_world(&t).await;
    fixture(&t, &w).await;
    let rows = sources(&t, &w.dj_token, DAY).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    let google = row(&rows, "google", json!("cpc"), json!("summer"));
    assert_eq!(
        (
            google["calls"].clone(),
            google["answered"].clone(),
            google["booked"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    assert_eq!(google["paid"], 1);
    assert_eq!(google["revenueCents"], 10_000);
    assert_eq!(google["revenuePerCallCents"], 10_000);
    assert_eq!(google["spendCents"], Value::Null);
    assert_eq!(google["roas"], Value::Null);
    // Only a gclid: google / cpc.
    let gclid = row(&rows, "google", json!("cpc"), Value::Null);
    assert_eq!(
        (gclid["calls"].clone(), gclid["revenueCents"].clone()),
        (json!(1), json!(0))
    );
    // Refunds subtract.
    let facebook = row(&rows, "facebook", json!("social"), Value::Null);
    assert_eq!(facebook["revenueCents"], 4_000);
    let direct = row(&rows, "direct", Value::Null, Value::Null);
    assert_eq!(
        (direct["calls"].clone(), direct["booked"].clone()),
        (json!(1), json!(1))
    );
    assert_sums_match_analytics(&t, &w.dj_token, DAY).await;
    assert_sums_match_analytics(&t, &w.admin, DAY).await;

    // 30.00 in June (30 days): one day of it is 1.00; the whole month all of it.
    let spend = json!({"dj_profile_id": w.dj, "month": "2026-06", "source": "google",
        "medium": "cpc", "campaign": "summer", "spendCents": 3_000});
    put(&t, "/api/djdash/reports/spend", &w.dj_token, &spend)
        .await
        .ok(200);
    let rows = sources(&t, &w.dj_token, DAY).await;
    let google = row(&rows, "google", json!("cpc"), json!("summer"));
    assert_eq!(google["spendCents"], 100);
    assert_eq!(google["costPerCallCents"], 100);
    assert_eq!(google["costPerBookingCents"], 100);
    assert_eq!(google["roas"], 100.0);
    let rows = sources(&t, &w.dj_token, JUNE).await;
    let google = row(&rows, "google", json!("cpc"), json!("summer"));
    assert_eq!(google["spendCents"], 3_000);
    // 10000 / 3000 = 3.333…
    assert_eq!(google["roas"], 3.33);
    // Setting it again replaces it; spend on a source without calls is a row of its own.
    put(
        &t,
        "/api/djdash/reports/spend",
        &w.dj_token,
        &json!({"dj_profile_id": w.dj,
        "month": "2026-06", "source": "bing", "spendCents": 999}),
    )
    .await
    .ok(200);
    let rows = sources(&t, &w.dj_token, JUNE).await;
    let bing = row(&rows, "bing", Value::Null, Value::Null);
    assert_eq!(
        (bing["calls"].clone(), bing["spendCents"].clone()),
        (json!(0), json!(999))
    );
    assert_eq!(bing["costPerCallCents"], Value::Null);
    assert_eq!(bing["roas"], 0.0);
    assert_sums_match_analytics(&t, &w.dj_token, JUNE).await;
    // July has none of June's spend.
    let july = sources(&t, &w.dj_token, "start_date=2026-07-01&end_date=2026-07-31").await;
    assert!(july.is_empty(), "{july:?}");
    // The other DJ sees none of it.
    let other = t
        .user_token("other@example.com", djcalls_domain::Role::Dj, &[w.other])
        .await;
    assert!(sources(&t, &other, JUNE).await.is_empty());
}

async fn spend_and_reports_refuse_bad_input(t: TestApp) {
    let w = report_world(&t).await;
    let path = "/api/djdash/reports/spend";
    let ok =
        json!({"dj_profile_id": w.dj, "month": "2026-06", "source": "google", "spendCents": 1});
    let with = |field: &str, value: Value| {
        let mut body = ok.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("month", json!("2026-13")), "month"),
        (with("month", json!("June")), "month"),
        (with("spendCents", json!(-1)), "spendCents"),
        (with("spendCents", json!(1.5)), "spendCents"),
        (with("source", json!("  ")), "source"),
        (with("dj_profile_id", json!("nope")), "dj_profile_id"),
    ] {
        put(&t, path, &w.dj_token, &body).await.assert_error_in(
            400,
            "invalid_field",
            Some(field),
            &body.to_string(),
        );
    }
    // Platform spend: admins only.
    let mut platform = ok.clone();
    platform.as_object_mut().unwrap().remove("dj_profile_id");
    put(&t, path, &w.dj_token, &platform).await.assert_error(
        400,
        "invalid_field",
        Some("dj_profile_id"),
    );
    put(&t, path, &w.admin, &platform).await.ok(200);
    // Another DJ's spend.
    put(
        &t,
        path,
        &w.dj_token,
        &with("dj_profile_id", json!(w.other)),
    )
    .await
    .assert_error(403, "forbidden", None);
    for (query, field) in [
        ("tz=Mars/Olympus", "tz"),
        ("start_date=2026-02-30", "start_date"),
        ("start_date=2026-06-10&end_date=2026-06-01", "end_date"),
        ("dj_profile_id=nope", "dj_profile_id"),
    ] {
        for report in ["sources", "funnel"] {
            let r = get(
                &t,
                &format!("/api/djdash/reports/{report}?{query}"),
                &w.dj_token,
            )
            .await;
            r.assert_error_in(400, "invalid_field", Some(field), query);
        }
    }
    let r = get(
        &t,
        &format!("/api/djdash/reports/sources?dj_profile_id={}", w.other),
        &w.dj_token,
    )
    .await;
    r.assert_error(403, "forbidden", None);
}

on_both_backends!(TestApp:
    rows_by_source_with_spend => rows_by_source_with_spend;
    spend_and_reports_refuse_bad_input => spend_and_reports_refuse_bad_input;
);
