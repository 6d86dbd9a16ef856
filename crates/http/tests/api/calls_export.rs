//! `GET /api/djdash/calls/export.csv` (SPEC §14): the calls of `GET /api/djdash/calls` for the
//! same caller and filters, as streamed RFC 4180 CSV. Every answer is parsed with the csv crate.

use super::support::{DJ_A, DJ_B, Reply, World, get, ledger};
use serde_json::{Value, json};

/// The documented columns, in order.
const COLUMNS: [&str; 35] = [
    "id",
    "dj_profile_id",
    "timestamp",
    "virtual_number",
    "caller_number",
    "caller_name",
    "call_status",
    "answered",
    "call_duration_seconds",
    "talk_seconds",
    "voicemail_left",
    "source",
    "page_url",
    "event_type",
    "lead_score",
    "is_booked",
    "tipjar_link_sent",
    "tipjar_payment_received",
    "tipjar_payment_amount",
    "tipjar_payment_amount_cents",
    "call_sid",
    "has_recording",
    "recording_duration_seconds",
    "transcription_status",
    "transcription_text",
    "notes",
    "attribution_confidence",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "gclid",
    "clicked_at",
    "product_context",
    "created_at",
    "updated_at",
];

/// A parsed export: the answer's status and headers, the header row and the records.
pub struct Csv {
    status: u16,
    headers: reqwest::header::HeaderMap,
    header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    pub fn ids(&self) -> Vec<String> {
        let id = self.column("id");
        self.rows.iter().map(|r| r[id].clone()).collect()
    }
}

pub async fn export(w: &World, query: &str, token: &str) -> Csv {
    let response =
        w.t.client
            .get(w.t.url(&format!("/api/djdash/calls/export.csv?{query}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    Csv {
        status,
        headers,
        header,
        rows,
    }
}

/// What a cell must hold for `call`'s JSON: the JSON value as text (null empty), dollars with
/// cents for the amount, the attribution's fields, and a leading `'` before `= + - @`.
fn expected_cell(call: &Value, column: &str) -> String {
    let value = match column {
        "tipjar_payment_amount" if call["tipjar_payment_received"] == json!(true) => {
            let cents = call["tipjar_payment_amount_cents"].as_i64().unwrap();
            json!(format!("{}.{:02}", cents / 100, cents % 100))
        }
        "tipjar_payment_amount" => Value::Null,
        "attribution_confidence" => call["attribution"]["confidence"].clone(),
        "utm_source" | "utm_medium" | "utm_campaign" | "gclid" | "clicked_at" => {
            call["attribution"][column].clone()
        }
        field => call
            .get(field)
            .unwrap_or_else(|| panic!("{field} is not in the call JSON"))
            .clone(),
    };
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    };
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

async fn list(w: &World, query: &str, token: &str) -> Vec<Value> {
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?limit=1000&{query}"),
        token,
    )
    .await;
    reply.ok(200)["calls"].as_array().unwrap().clone()
}

/// Calls whose text needs quoting or neutralising, one paid, one of DJ B, one too old.
async fn awkward_calls(w: &World) -> Vec<Value> {
    let mut calls = Vec::new();
    for (at, name, notes) in [
        (
            "2026-06-10T09:00:00Z",
            "Smith, \"DJ\" Jr.",
            "line one\nline two, with a comma and \"quotes\"\r\nand a CRLF",
        ),
        (
            "2026-06-11T10:00:00Z",
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "@SUM(1+1)",
        ),
        ("2026-06-12T11:00:00Z", "-2+3", "+cmd|' /C calc'!A0"),
        ("2026-06-12T11:00:00Z", "Ünïcødé Ⅻ 🎧", "plain"),
    ] {
        calls.push(
            w.log_call(json!({
                "dj_profile_id": DJ_A.to_string(),
                "caller_number": "(415) 555-2671",
                "caller_name": name,
                "timestamp": at,
                "page_url": "https://djdash.example/dj-a?x=1,2",
                "event_type": "Wedding",
                "call_duration_seconds": 95,
                "call_status": "completed",
                "notes": notes,
            }))
            .await,
        );
    }
    ledger(
        &w.t,
        &calls[0],
        "pay_export_1",
        15000,
        "2026-06-10T10:00:00Z",
    )
    .await;
    w.log_call(json!({"dj_profile_id": DJ_B.to_string(), "timestamp": "2026-06-11T12:00:00Z"}))
        .await;
    w.log_call(json!({"dj_profile_id": DJ_A.to_string(), "timestamp": "2026-05-01T12:00:00Z"}))
        .await;
    calls
}

async fn rows_match_the_json_list(w: World) {
    awkward_calls(&w).await;
    for (query, token, expected_rows) in [
        (
            "start_date=2026-06-01&end_date=2026-06-14",
            w.dj_a.as_str(),
            4,
        ),
        ("", w.dj_a.as_str(), 5),
        ("", w.admin.as_str(), 6),
        ("dj_profile_id=", w.service, 6),
        (
            "dj_profile_id=0a0a0000-0000-4000-8000-00000000000a&start_date=2026-06-12&tz=America/New_York",
            w.service,
            2,
        ),
    ] {
        let csv = export(&w, query, token).await;
        assert_eq!(csv.header, COLUMNS, "{query}");
        let calls = list(&w, query, token).await;
        assert_eq!(csv.rows.len(), expected_rows, "{query}");
        assert_eq!(csv.rows.len(), calls.len(), "{query}");
        for (row, call) in csv.rows.iter().zip(&calls) {
            for (column, cell) in csv.header.iter().zip(row) {
                assert_eq!(*cell, expected_cell(call, column), "{query}: {column}");
            }
        }
    }
}

async fn text_is_quoted_and_formulas_neutralised(w: World) {
    awkward_calls(&w).await;
    let csv = export(&w, "start_date=2026-06-01", &w.dj_a).await;
    let (name, notes, number) = (
        csv.column("caller_name"),
        csv.column("notes"),
        csv.column("caller_number"),
    );
    let cells = |i: usize| -> Vec<&str> { csv.rows.iter().map(|r| r[i].as_str()).collect() };
    // Newest first; the two calls at 11:00 on June 12 in id order (ids are time-ordered v7).
    assert_eq!(
        cells(name),
        [
            "Ünïcødé Ⅻ 🎧",
            "'-2+3",
            "'=HYPERLINK(\"http://evil.example\",\"x\")",
            "Smith, \"DJ\" Jr.",
        ]
    );
    assert_eq!(
        cells(notes),
        [
            "plain",
            "'+cmd|' /C calc'!A0",
            "'@SUM(1+1)",
            "line one\nline two, with a comma and \"quotes\"\r\nand a CRLF",
        ]
    );
    // Phone numbers start with `+`: neutralised like any other cell.
    assert!(cells(number).iter().all(|n| *n == "'+14155552671"));
    let amount = csv.column("tipjar_payment_amount");
    let cents = csv.column("tipjar_payment_amount_cents");
    assert_eq!(
        (csv.rows[3][amount].as_str(), csv.rows[3][cents].as_str()),
        ("150.00", "15000")
    );
    assert_eq!(
        (csv.rows[0][amount].as_str(), csv.rows[0][cents].as_str()),
        ("", "0")
    );
    assert_eq!(
        csv.rows[0][csv.column("page_url")],
        "https://djdash.example/dj-a?x=1,2"
    );
}

async fn the_download_is_named_and_never_cached(w: World) {
    let csv = export(&w, "", &w.dj_a).await;
    assert_eq!(csv.status, 200);
    assert!(csv.rows.is_empty());
    assert_eq!(csv.header, COLUMNS);
    let header = |name: &str| csv.headers[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"calls-2026-06-15.csv\""
    );
    assert_eq!(header("cache-control"), "no-store");
}

async fn a_dj_exports_only_their_own_calls(w: World) {
    awkward_calls(&w).await;
    let b = export(&w, "", &w.dj_b).await;
    let profile = b.column("dj_profile_id");
    assert_eq!(b.rows.len(), 1);
    assert!(b.rows.iter().all(|r| r[profile] == DJ_B.to_string()));
    let a = export(&w, &format!("dj_profile_id={DJ_A}"), &w.dj_a).await;
    assert!(a.rows.iter().all(|r| r[profile] == DJ_A.to_string()));
    assert_eq!(a.rows.len(), 5);
    let other = format!("/api/djdash/calls/export.csv?dj_profile_id={DJ_A}");
    get(&w.t, &other, &w.dj_b)
        .await
        .assert_error(403, "forbidden", None);
    get(&w.t, "/api/djdash/calls/export.csv", "not-a-token")
        .await
        .assert_error(401, "unauthenticated", None);
    let anonymous = super::support::raw(
        &w.t,
        reqwest::Method::GET,
        "/api/djdash/calls/export.csv",
        None,
        None,
        None,
    )
    .await;
    anonymous.assert_error(401, "unauthenticated", None);
}

async fn bad_filters_are_the_lists_400s(w: World) {
    for (query, field) in [
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-13-01", "end_date"),
        ("start_date=2026-06-10&end_date=2026-06-01", "end_date"),
        ("tz=Mars/Olympus_Mons", "tz"),
        ("dj_profile_id=42", "dj_profile_id"),
        ("product_context=tipjar", "product_context"),
    ] {
        let export: Reply = get(
            &w.t,
            &format!("/api/djdash/calls/export.csv?{query}"),
            &w.dj_a,
        )
        .await;
        let list: Reply = get(&w.t, &format!("/api/djdash/calls?{query}"), &w.dj_a).await;
        assert_eq!(export.status, 400, "{query}: {}", export.body);
        assert_eq!(
            (export.status, &export.body["code"], &export.body["field"]),
            (list.status, &list.body["code"], &list.body["field"]),
            "{query}"
        );
        export.assert_error_in(400, "invalid_field", Some(field), query);
    }
    get(
        &w.t,
        "/api/djdash/calls/export.csv?call_status=lost",
        &w.dj_a,
    )
    .await
    .assert_error(400, "invalid_field", Some("call_status"));
}

djcalls_testkit::on_both_backends! { TestApp:
    export_rows_match_the_json_list => rows_match_the_json_list_story;
    export_quotes_text_and_neutralises_formulas => text_is_quoted_and_formulas_neutralised_story;
    export_is_a_named_uncached_download => the_download_is_named_and_never_cached_story;
    export_shows_a_dj_only_their_own_calls => a_dj_exports_only_their_own_calls_story;
    export_refuses_bad_filters_like_the_list => bad_filters_are_the_lists_400s_story;
}

async fn rows_match_the_json_list_story(t: djcalls_testkit::TestApp) {
    rows_match_the_json_list(World::on(t).await).await;
}
async fn text_is_quoted_and_formulas_neutralised_story(t: djcalls_testkit::TestApp) {
    text_is_quoted_and_formulas_neutralised(World::on(t).await).await;
}
async fn the_download_is_named_and_never_cached_story(t: djcalls_testkit::TestApp) {
    the_download_is_named_and_never_cached(World::on(t).await).await;
}
async fn a_dj_exports_only_their_own_calls_story(t: djcalls_testkit::TestApp) {
    a_dj_exports_only_their_own_calls(World::on(t).await).await;
}
async fn bad_filters_are_the_lists_400s_story(t: djcalls_testkit::TestApp) {
    bad_filters_are_the_lists_400s(World::on(t).await).await;
}
