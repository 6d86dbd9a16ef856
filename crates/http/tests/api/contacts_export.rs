//! `GET /api/djdash/contacts/export.csv` (SPEC §14): the contacts of `GET /api/djdash/contacts`
//! for the same caller and filters, as streamed RFC 4180 CSV, over many database pages. Every
//! answer is parsed with the csv crate.

use super::support::{DJ_A, DJ_B, Reply, World, get, ledger};
use djcalls_domain::{Actor, ContactId};
use djcalls_store::DbTime;
use djcalls_store::contacts::NewContact;
use jiff::Timestamp;
use serde_json::{Value, json};
use uuid::Uuid;

/// The documented columns, in order.
const COLUMNS: [&str; 16] = [
    "id",
    "dj_profile_id",
    "phone",
    "name",
    "first_call_at",
    "last_call_at",
    "calls_count",
    "answered_count",
    "latest_event_type",
    "latest_event_date",
    "payments_cents",
    "paid_calls",
    "opted_out",
    "texts_count",
    "last_text_at",
    "created_at",
];

/// A parsed export: its headers, the header row and the records.
struct Csv {
    headers: reqwest::header::HeaderMap,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    fn cells(&self, name: &str) -> Vec<&str> {
        let i = self.column(name);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}

async fn export(w: &World, query: &str, token: &str) -> Csv {
    let response =
        w.t.client
            .get(w.t.url(&format!("/api/djdash/contacts/export.csv?{query}")))
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
        headers,
        header,
        rows,
    }
}

/// Every contact of the JSON list for `query`, page after page (limit 2, so many pages).
async fn list(w: &World, query: &str, token: &str) -> Vec<Value> {
    let mut contacts = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/djdash/contacts?limit=2&{query}&cursor={cursor}");
        let reply = get(&w.t, &path, token).await;
        let body = reply.ok(200);
        contacts.extend(body["contacts"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return contacts,
        }
    }
}

/// What a cell must hold for `contact`'s JSON: the value as text (null empty), with a leading
/// `'` before `= + - @`.
fn expected_cell(contact: &Value, column: &str) -> String {
    let text = match contact.get(column).cloned() {
        None => panic!("{column} is not in the contact JSON"),
        Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    };
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// Callers whose names need quoting or neutralising, one who paid, one of DJ B, one whose
/// last call is old.
async fn awkward_contacts(w: &World) {
    let (a, b) = (DJ_A.to_string(), DJ_B.to_string());
    for (caller, name, at) in [
        (
            "(415) 555-2671",
            "Smith, \"DJ\" Jr.",
            "2026-06-10T09:00:00Z",
        ),
        (
            "(415) 555-2672",
            "=HYPERLINK(\"http://evil.example\")",
            "2026-06-11T10:00:00Z",
        ),
        (
            "(415) 555-2673",
            "@SUM(1+1)\nsecond line",
            "2026-06-12T11:00:00Z",
        ),
        ("(415) 555-2674", "Ünïcødé 🎧", "2026-05-01T11:00:00Z"),
    ] {
        let call = w
            .log_call(
                json!({"dj_profile_id": a, "caller_number": caller, "caller_name": name,
                             "timestamp": at, "call_status": "completed",
                             "call_duration_seconds": 60, "event_type": "Wedding"}),
            )
            .await;
        if name.starts_with("Smith") {
            ledger(&w.t, &call, "pay_contacts_1", 15000, "2026-06-10T10:00:00Z").await;
        }
    }
    w.log_call(
        json!({"dj_profile_id": b, "caller_number": "(415) 555-2671",
                      "timestamp": "2026-06-11T12:00:00Z"}),
    )
    .await;
}

async fn rows_match_the_json_list(w: World) {
    awkward_contacts(&w).await;
    for (query, token, expected_rows) in [
        ("", w.dj_a.as_str(), 4),
        (
            "start_date=2026-06-01&end_date=2026-06-14",
            w.dj_a.as_str(),
            3,
        ),
        ("phone=555-2671", w.dj_a.as_str(), 1),
        ("", w.admin.as_str(), 5),
        ("phone=2671", w.service, 2),
        (
            "start_date=2026-06-12&tz=America/New_York",
            w.admin.as_str(),
            1,
        ),
    ] {
        let csv = export(&w, query, token).await;
        assert_eq!(csv.header, COLUMNS, "{query}");
        let contacts = list(&w, query, token).await;
        assert_eq!(csv.rows.len(), expected_rows, "{query}");
        assert_eq!(csv.rows.len(), contacts.len(), "{query}");
        for (row, contact) in csv.rows.iter().zip(&contacts) {
            for (column, cell) in csv.header.iter().zip(row) {
                assert_eq!(*cell, expected_cell(contact, column), "{query}: {column}");
            }
        }
    }
}

async fn text_is_quoted_and_formulas_neutralised(w: World) {
    awkward_contacts(&w).await;
    let csv = export(&w, "", &w.dj_a).await;
    // Newest contact first: made in the order the calls were logged.
    assert_eq!(
        csv.cells("name"),
        [
            "Ünïcødé 🎧",
            "'@SUM(1+1)\nsecond line",
            "'=HYPERLINK(\"http://evil.example\")",
            "Smith, \"DJ\" Jr.",
        ]
    );
    assert_eq!(
        csv.cells("phone"),
        [
            "'+14155552674",
            "'+14155552673",
            "'+14155552672",
            "'+14155552671"
        ]
    );
    assert_eq!(csv.cells("payments_cents"), ["0", "0", "0", "15000"]);
    assert_eq!(csv.cells("latest_event_type")[0], "wedding");
    let header = |name: &str| csv.headers[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"contacts-2026-06-15.csv\""
    );
    assert_eq!(header("cache-control"), "no-store");
}

async fn who_may_export_and_bad_filters(w: World) {
    awkward_contacts(&w).await;
    let b = export(&w, "", &w.dj_b).await;
    assert_eq!(b.cells("dj_profile_id"), [DJ_B.to_string()]);
    let other = format!("/api/djdash/contacts/export.csv?dj_profile_id={DJ_A}");
    get(&w.t, &other, &w.dj_b)
        .await
        .assert_error(403, "forbidden", None);
    get(&w.t, "/api/djdash/contacts/export.csv", "not-a-token")
        .await
        .assert_error(401, "unauthenticated", None);
    for (query, field) in [
        ("start_date=yesterday", "start_date"),
        ("start_date=2026-06-10&end_date=2026-06-01", "end_date"),
        ("tz=Mars/Olympus_Mons", "tz"),
        ("dj_profile_id=42", "dj_profile_id"),
        ("phone=abc", "phone"),
        ("product_context=tipjar", "product_context"),
    ] {
        let export: Reply = get(
            &w.t,
            &format!("/api/djdash/contacts/export.csv?{query}"),
            &w.dj_a,
        )
        .await;
        let list: Reply = get(&w.t, &format!("/api/djdash/contacts?{query}"), &w.dj_a).await;
        assert_eq!(
            (export.status, &export.body["code"], &export.body["field"]),
            (list.status, &list.body["code"], &list.body["field"]),
            "{query}"
        );
        export.assert_error_in(400, "invalid_field", Some(field), query);
    }
}

/// More contacts than one database page (500), many made at the same instant, so the keyset
/// must break ties by id across page boundaries.
async fn a_long_export_is_complete_and_ordered(w: World) {
    let base: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let contacts: Vec<NewContact> = (0..1234_i64)
        .map(|i| NewContact {
            id: ContactId(Uuid::new_v4()),
            dj_profile_id: DJ_A,
            phone: format!("+1415555{i:04}"),
            name: Some(format!("Caller {i}, \"seeded\"")),
            created_at: DbTime(base + jiff::SignedDuration::from_secs(i / 7)),
        })
        .collect();
    w.t.db
        .store
        .insert_contacts_bulk(&Actor::System, &contacts)
        .await
        .unwrap();
    let mut expected: Vec<&NewContact> = contacts.iter().collect();
    expected.sort_by_key(|c| std::cmp::Reverse((c.created_at.0, c.id)));
    let expected: Vec<String> = expected.iter().map(|c| c.id.to_string()).collect();
    let csv = export(&w, "", &w.dj_a).await;
    assert_eq!(csv.cells("id"), expected);
    let some = export(&w, "phone=555000", &w.dj_a).await;
    assert_eq!(some.rows.len(), 10);
}

djcalls_testkit::on_both_backends! { TestApp:
    contacts_export_rows_match_the_json_list => rows_match_the_json_list_story;
    contacts_export_quotes_and_neutralises => text_is_quoted_and_formulas_neutralised_story;
    contacts_export_access_and_bad_filters => who_may_export_and_bad_filters_story;
    contacts_export_of_many_pages_is_complete_and_ordered => a_long_export_is_complete_and_ordered_story;
}

async fn rows_match_the_json_list_story(t: djcalls_testkit::TestApp) {
    rows_match_the_json_list(World::on(t).await).await;
}
async fn text_is_quoted_and_formulas_neutralised_story(t: djcalls_testkit::TestApp) {
    text_is_quoted_and_formulas_neutralised(World::on(t).await).await;
}
async fn who_may_export_and_bad_filters_story(t: djcalls_testkit::TestApp) {
    who_may_export_and_bad_filters(World::on(t).await).await;
}
async fn a_long_export_is_complete_and_ordered_story(t: djcalls_testkit::TestApp) {
    a_long_export_is_complete_and_ordered(World::on(t).await).await;
}
