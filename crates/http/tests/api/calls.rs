//! A call's life through the JSON API: logged, read, corrected, listed and paged.

use super::support::{DJ_A, DJ_B, World, get, patch, post};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The seed's `dj_calls` column names, all present on every call record.
const SEED_COLUMNS: [&str; 19] = [
    "id",
    "dj_profile_id",
    "virtual_number",
    "caller_number",
    "caller_name",
    "timestamp",
    "page_url",
    "event_type",
    "lead_score",
    "is_booked",
    "call_duration_seconds",
    "call_status",
    "call_sid",
    "tipjar_link_sent",
    "tipjar_link",
    "tipjar_payment_received",
    "tipjar_payment_amount",
    "product_context",
    "notes",
];

async fn a_call_is_logged_read_and_corrected(w: World) {
    let body = json!({
        "dj_profile_id": DJ_A.to_string(),
        "virtual_number": "+1 (646) 555-3890",
        "caller_number": "(415) 555-2671",
        "caller_name": "  Pat Lee  ",
        "timestamp": "2026-06-14T18:30:00Z",
        "page_url": "https://djdash.example/dj-a",
        "event_type": "Wedding",
        "lead_score": "warm",
        "call_duration_seconds": 95,
        "call_status": "completed",
        "call_sid": "CA0123456789abcdef",
        "notes": "asked about June 20",
        "product_context": "djdash",
    });
    let reply = post(&w.t, "/api/djdash/calls", w.service, &body).await;
    let call = reply.ok(201)["call"].clone();
    for column in SEED_COLUMNS {
        assert!(
            call.get(column).is_some(),
            "missing column {column}: {call}"
        );
    }
    let id = call["id"].as_str().expect("id").to_string();
    assert!(id.parse::<uuid::Uuid>().is_ok());
    for (field, value) in [
        ("dj_profile_id", json!(DJ_A.to_string())),
        ("virtual_number", json!("+16465553890")),
        ("caller_number", json!("+14155552671")),
        ("caller_name", json!("Pat Lee")),
        ("timestamp", json!("2026-06-14T18:30:00Z")),
        ("page_url", json!("https://djdash.example/dj-a")),
        ("event_type", json!("wedding")),
        ("lead_score", json!("warm")),
        ("is_booked", json!(false)),
        ("call_duration_seconds", json!(95)),
        ("call_status", json!("completed")),
        ("call_sid", json!("CA0123456789abcdef")),
        ("tipjar_link_sent", json!(false)),
        ("tipjar_link", Value::Null),
        ("tipjar_payment_received", json!(false)),
        ("tipjar_payment_amount", Value::Null),
        ("product_context", json!("djdash")),
        ("notes", json!("asked about June 20")),
        ("answered", json!(true)),
    ] {
        assert_eq!(call[field], value, "{field}");
    }

    // The same call_sid again is a conflict, and nothing new is stored.
    let reply = post(&w.t, "/api/djdash/calls", w.service, &body).await;
    reply.assert_error(409, "duplicate_call_sid", None);
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?dj_profile_id={DJ_A}"),
        w.service,
    )
    .await;
    assert_eq!(reply.ok(200)["calls"].as_array().expect("calls").len(), 1);

    // Read back by id, by the owner as by the service.
    for token in [w.service, w.dj_a.as_str(), w.admin.as_str()] {
        let reply = get(&w.t, &format!("/api/djdash/calls/{id}"), token).await;
        assert_eq!(reply.ok(200)["call"], call);
    }

    // Corrections: only the fields sent change.
    w.t.clock.set("2026-06-15T13:00:00Z".parse().expect("time"));
    let path = format!("/api/djdash/calls/{id}");
    let reply = patch(
        &w.t,
        &path,
        &w.dj_a,
        &json!({"is_booked": true, "lead_score": "hot", "event_type": "Corporate", "notes": "booked for June 20"}),
    )
    .await;
    let patched = reply.ok(200)["call"].clone();
    assert_eq!(patched["is_booked"], json!(true));
    assert_eq!(patched["lead_score"], json!("hot"));
    assert_eq!(patched["event_type"], json!("corporate"));
    assert_eq!(patched["notes"], json!("booked for June 20"));
    assert_eq!(patched["updated_at"], json!("2026-06-15T13:00:00Z"));
    for unchanged in [
        "caller_number",
        "timestamp",
        "call_status",
        "call_sid",
        "created_at",
    ] {
        assert_eq!(patched[unchanged], call[unchanged], "{unchanged}");
    }
    // An empty patch changes nothing; null clears notes and event type; absent fields stay.
    let reply = patch(&w.t, &path, w.service, &json!({})).await;
    assert_eq!(reply.ok(200)["call"]["notes"], json!("booked for June 20"));
    let reply = patch(
        &w.t,
        &path,
        w.service,
        &json!({"notes": null, "event_type": null}),
    )
    .await;
    let cleared = reply.ok(200)["call"].clone();
    assert_eq!(cleared["notes"], Value::Null);
    assert_eq!(cleared["event_type"], Value::Null);
    assert_eq!(cleared["is_booked"], json!(true));
    assert_eq!(cleared["lead_score"], json!("hot"));
    let reply = patch(
        &w.t,
        &path,
        w.service,
        &json!({"is_booked": false, "lead_score": "cold"}),
    )
    .await;
    assert_eq!(reply.ok(200)["call"]["is_booked"], json!(false));
    let reply = get(&w.t, &path, w.service).await;
    let stored = reply.ok(200)["call"].clone();
    assert_eq!(stored["lead_score"], json!("cold"));
    assert_eq!(stored["notes"], Value::Null);
}

#[tokio::test]
async fn a_call_is_logged_read_and_corrected_on_sqlite() {
    a_call_is_logged_read_and_corrected(World::sqlite().await).await;
}

#[tokio::test]
async fn a_call_is_logged_read_and_corrected_on_postgres() {
    let Some(world) = World::postgres().await else {
        return;
    };
    a_call_is_logged_read_and_corrected(world).await;
}

#[tokio::test]
async fn a_logged_call_gets_sensible_defaults() {
    let w = World::sqlite().await;
    let call = w.log_call(json!({"dj_profile_id": DJ_A.to_string()})).await;
    assert_eq!(call["timestamp"], json!("2026-06-15T12:00:00Z"));
    assert_eq!(call["call_status"], json!("ringing"));
    assert_eq!(call["lead_score"], json!("hot"));
    assert_eq!(call["is_booked"], json!(false));
    assert_eq!(call["answered"], json!(false));
    assert_eq!(call["caller_number"], Value::Null);
    // A duration without a status means the call was answered.
    let call = w
        .log_call(json!({"dj_profile_id": DJ_A.to_string(), "call_duration_seconds": 42}))
        .await;
    assert_eq!(call["call_status"], json!("completed"));
    assert_eq!(call["answered"], json!(true));
    assert_eq!(call["talk_seconds"], json!(42));
    // Blank text is no text.
    let call = w
        .log_call(json!({"dj_profile_id": DJ_A.to_string(), "notes": "   ", "caller_name": ""}))
        .await;
    assert_eq!(call["notes"], Value::Null);
    assert_eq!(call["caller_name"], Value::Null);
}

/// `n` calls for DJ A at one-minute steps back from 2026-06-10T12:00Z, with `ties` extra calls
/// sharing the newest timestamp; returns their ids.
async fn log_calls(w: &World, n: u32, ties: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n + ties {
        let minutes = i.saturating_sub(ties);
        let ts = jiff::Timestamp::from_second(1_781_092_800 - i64::from(minutes) * 60).expect("ts");
        let call = w
            .log_call(
                json!({"dj_profile_id": DJ_A.to_string(), "timestamp": ts.to_string(),
                "call_sid": format!("CA{i:04}")}),
            )
            .await;
        ids.push(call["id"].as_str().expect("id").to_string());
    }
    ids
}

/// Pages through `path` with `limit`, returning every page's ids.
async fn pages(
    w: &World,
    path: &str,
    limit: u32,
    between: impl AsyncFn(usize),
) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&limit={limit}&cursor={c}"),
            None => format!("{path}&limit={limit}"),
        };
        let reply = get(&w.t, &url, w.service).await;
        let body = reply.ok(200);
        let calls = body["calls"].as_array().expect("calls");
        assert!(calls.len() <= limit as usize);
        pages.push(
            calls
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_string())
                .collect(),
        );
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => {
                assert_eq!(body["next_cursor"], Value::Null);
                break;
            }
        }
        assert!(pages.len() < 100, "paging never ends");
        between(pages.len()).await;
    }
    pages
}

#[tokio::test]
async fn calls_are_listed_newest_first() {
    let w = World::sqlite().await;
    let ids = log_calls(&w, 5, 0).await;
    w.log_call(json!({"dj_profile_id": DJ_B.to_string()})).await;
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?dj_profile_id={DJ_A}"),
        w.service,
    )
    .await;
    let body = reply.ok(200);
    let listed: Vec<&str> = body["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    // Logged oldest-last, so the listing is the logging order.
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(body["next_cursor"], Value::Null);
    let stamps: Vec<&str> = body["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| c["timestamp"].as_str().expect("ts"))
        .collect();
    let mut sorted = stamps.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(stamps, sorted);
    // Date filters narrow the list: the three minutes 11:58..=12:00 on June 10.
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?dj_profile_id={DJ_A}&start_date=2026-06-10T11:58:00Z&end_date=2026-06-10T12:00:00Z"),
        w.service,
    )
    .await;
    assert_eq!(reply.ok(200)["calls"].as_array().expect("calls").len(), 3);
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?dj_profile_id={DJ_A}&product_context=djdash"),
        w.service,
    )
    .await;
    assert_eq!(reply.ok(200)["calls"].as_array().expect("calls").len(), 5);
}

#[tokio::test]
async fn paging_returns_every_call_exactly_once_and_ends_with_a_null_cursor_on_sqlite() {
    paging_returns_every_call_exactly_once_and_ends_with_a_null_cursor(World::sqlite().await).await;
}

#[tokio::test]
async fn paging_returns_every_call_exactly_once_and_ends_with_a_null_cursor_on_postgres() {
    let Some(world) = World::postgres().await else {
        return;
    };
    paging_returns_every_call_exactly_once_and_ends_with_a_null_cursor(world).await;
}

async fn paging_returns_every_call_exactly_once_and_ends_with_a_null_cursor(w: World) {
    // Seven calls, three sharing one timestamp (ties are broken by id).
    let ids = log_calls(&w, 5, 2).await;
    let path = format!("/api/djdash/calls?dj_profile_id={DJ_A}");
    for limit in [1, 2, 3, 7, 8, 1000] {
        let pages = pages(&w, &path, limit, async |_| {}).await;
        let all: Vec<String> = pages.concat();
        let expected_pages = ids.len().div_ceil(limit as usize);
        assert_eq!(pages.len(), expected_pages, "limit {limit}: {pages:?}");
        assert_eq!(all.len(), ids.len(), "limit {limit}");
        assert_eq!(
            all.iter().collect::<BTreeSet<_>>().len(),
            ids.len(),
            "duplicates at limit {limit}"
        );
        assert_eq!(
            all.iter().collect::<BTreeSet<_>>(),
            ids.iter().collect::<BTreeSet<_>>(),
            "limit {limit}"
        );
    }
    // Without a limit the page holds up to 100.
    let reply = get(&w.t, &path, w.service).await;
    assert_eq!(reply.ok(200)["calls"].as_array().expect("calls").len(), 7);
}

#[tokio::test]
async fn paging_stays_exact_while_new_calls_arrive_between_pages_on_sqlite() {
    paging_stays_exact_while_new_calls_arrive_between_pages(World::sqlite().await).await;
}

#[tokio::test]
async fn paging_stays_exact_while_new_calls_arrive_between_pages_on_postgres() {
    let Some(world) = World::postgres().await else {
        return;
    };
    paging_stays_exact_while_new_calls_arrive_between_pages(world).await;
}

async fn paging_stays_exact_while_new_calls_arrive_between_pages(w: World) {
    let ids = log_calls(&w, 6, 0).await;
    let path = format!("/api/djdash/calls?dj_profile_id={DJ_A}");
    let w_ref = &w;
    let pages = pages(&w, &path, 2, async |page| {
        // A brand-new call (now, newer than everything) and one older than everything.
        w_ref
            .log_call(json!({"dj_profile_id": DJ_A.to_string(), "call_sid": format!("CANEW{page}")}))
            .await;
        w_ref
            .log_call(json!({"dj_profile_id": DJ_A.to_string(),
                "timestamp": format!("2026-05-0{page}T00:00:00Z"), "call_sid": format!("CAOLD{page}")}))
            .await;
    })
    .await;
    let all: Vec<String> = pages.concat();
    assert_eq!(
        all.iter().collect::<BTreeSet<_>>().len(),
        all.len(),
        "a call came back twice"
    );
    for id in &ids {
        assert_eq!(
            all.iter().filter(|x| *x == id).count(),
            1,
            "{id} not listed once"
        );
    }
    // The first pages are exactly the original calls, newest first.
    assert_eq!(pages[..3].concat(), ids);
}
