//! `GET /api/djdash/reports/funnel`: DNI answers counted in memory reach the report once
//! flushed, and each stage counts only what passed the one above.

use super::support::*;
use crate::support::{get, ledger};
use djcalls_testkit::{TestApp, on_both_backends};
use jiff::SignedDuration;
use serde_json::{Value, json};

const DAY: &str = "start_date=2026-06-15&end_date=2026-06-15&tz=America/New_York";

async fn funnel(t: &TestApp, token: &str, query: &str) -> Value {
    let r = get(t, &format!("/api/djdash/reports/funnel?{query}"), token).await;
    r.ok(200)["funnel"].clone()
}

async fn dni(t: &TestApp, ids: &str) {
    let r = t
        .client
        .get(t.url(&format!("/api/djdash/dni?ids={ids}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn stages_narrow_down_from_numbers_shown(t: TestApp) {
    let w = report_world(&t).await;
    // Three answers show this DJ's number (one of them the other DJ's too).
    dni(&t, &w.dj.to_string()).await;
    dni(&t, &w.dj.to_string()).await;
    dni(&t, &format!("{},{}", w.dj, w.other)).await;
    let before = funnel(&t, &w.dj_token, DAY).await;
    assert_eq!(before["numbersShown"], 0, "counted in memory until a flush");
    t.app.flush_numbers_shown().await.unwrap();
    assert_eq!(funnel(&t, &w.dj_token, DAY).await["numbersShown"], 3);

    // Click 1, then two calls from that visitor (one journey); click 2 never calls.
    click(&t, w.dj, json!({"utm_source": "google"})).await;
    advance(&t, SignedDuration::from_mins(1));
    call(&t, &w.number).await;
    advance(&t, SignedDuration::from_mins(2));
    call(&t, &w.number).await;
    advance(&t, SignedDuration::from_mins(31));
    click(&t, w.dj, json!({})).await;
    let f = funnel(&t, &w.dj_token, DAY).await;
    assert_eq!(
        (
            f["clicks"].clone(),
            f["calls"].clone(),
            f["answered"].clone(),
            f["conversations"].clone()
        ),
        (json!(2), json!(1), json!(1), json!(1)),
        "{f}"
    );
    assert_eq!(f["linksSent"], 0, "{f}");

    // The follow-up text sends the payment link; the caller opens it and pays.
    t.app.run_due_jobs().await;
    let calls = t.calls_of(w.dj).await;
    let linked = calls
        .iter()
        .find(|c| c["tipjar_link_sent"] == json!(true))
        .unwrap_or_else(|| panic!("no link sent: {calls:?}"))
        .clone();
    assert_eq!(funnel(&t, &w.dj_token, DAY).await["linksSent"], 1);
    assert_eq!(funnel(&t, &w.dj_token, DAY).await["linksOpened"], 0);
    let link = linked["tipjar_link"].as_str().unwrap();
    let path = &link[link.find("/pay/").unwrap()..];
    let opened = t.client.get(t.url(path)).send().await.unwrap();
    assert!(opened.status().is_success() || opened.status().is_redirection());
    ledger(&t, &linked, "pi_funnel", 25_000, "2026-06-15T18:00:00Z").await;
    let f = funnel(&t, &w.dj_token, DAY).await;
    assert_eq!(
        f,
        json!({"numbersShown": 3, "clicks": 2, "calls": 1, "answered": 1, "conversations": 1,
            "linksSent": 1, "linksOpened": 1, "paid": 1, "revenueCents": 25_000})
    );
    // The other DJ's number was shown once; the platform sees both.
    let other = funnel(&t, &w.admin, &format!("{DAY}&dj_profile_id={}", w.other)).await;
    assert_eq!(
        (other["numbersShown"].clone(), other["clicks"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(funnel(&t, &w.admin, DAY).await["numbersShown"], 4);
    // Another day has none of it.
    let next = funnel(
        &t,
        &w.dj_token,
        "start_date=2026-06-16&end_date=2026-06-16&tz=America/New_York",
    )
    .await;
    assert_eq!(next["numbersShown"], 0);
    assert_eq!(next["clicks"], 0);
}

on_both_backends!(TestApp:
    stages_narrow_down_from_numbers_shown => stages_narrow_down_from_numbers_shown;
);
