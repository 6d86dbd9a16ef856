//! `/api/djdash/contacts`: who may list and read contacts, cursor pages, filters and bad input.

use super::support::{DJ_A, DJ_B, NOBODY, World, get};
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    contacts_are_listed_paged_and_read_by_who_may => listed_paged_and_read;
    bad_contact_queries_are_400_with_the_field => bad_input;
}

async fn log(w: &World, dj: &str, caller: Option<&str>, when: &str) -> Value {
    let mut body = json!({"dj_profile_id": dj, "timestamp": when, "call_status": "completed",
                          "call_duration_seconds": 40});
    if let Some(caller) = caller {
        body["caller_number"] = json!(caller);
    }
    w.log_call(body).await
}

async fn listed_paged_and_read(t: djcalls_testkit::TestApp) {
    let w = World::on(t).await;
    let (a, b) = (DJ_A.to_string(), DJ_B.to_string());
    for i in 0..5 {
        log(
            &w,
            &a,
            Some(&format!("(312) 555-01{i:02}")),
            "2026-06-01T10:00:00Z",
        )
        .await;
    }
    log(&w, &a, Some("(312) 555-0100"), "2026-06-03T10:00:00Z").await;
    log(&w, &a, None, "2026-06-03T11:00:00Z").await;
    log(&w, &b, Some("(312) 555-0100"), "2026-06-02T10:00:00Z").await;

    // A DJ pages through their own contacts: every one once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/djdash/contacts?limit=2&cursor={c}"),
            None => "/api/djdash/contacts?limit=2".to_string(),
        };
        let body = get(&w.t, &path, &w.dj_a).await.ok(200).clone();
        for c in body["contacts"].as_array().unwrap() {
            assert_eq!(c["dj_profile_id"], json!(a));
            seen.push(c["phone"].as_str().unwrap().to_string());
        }
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    seen.sort();
    let expected: Vec<String> = (0..5).map(|i| format!("+1312555010{i}")).collect();
    assert_eq!(seen, expected);

    // Filters: the number's digits, and the last call's date.
    let body = get(
        &w.t,
        &format!("/api/djdash/contacts?dj_profile_id={a}&phone=555-0100"),
        &w.dj_a,
    )
    .await;
    let found = body.ok(200)["contacts"].as_array().unwrap().clone();
    assert_eq!(found.len(), 1);
    let contact = &found[0];
    assert_eq!(contact["calls_count"], 2);
    assert_eq!(contact["answered_count"], 2);
    assert_eq!(contact["last_call_at"], "2026-06-03T10:00:00Z");
    assert_eq!(contact["first_call_at"], "2026-06-01T10:00:00Z");
    for field in [
        "name",
        "latest_event_type",
        "latest_event_date",
        "last_text_at",
    ] {
        assert!(contact.get(field).is_some(), "missing {field}: {contact}");
    }
    let body = get(
        &w.t,
        &format!(
            "/api/djdash/contacts?dj_profile_id={a}&start_date=2026-06-02&end_date=2026-06-05"
        ),
        &w.dj_a,
    )
    .await;
    assert_eq!(body.ok(200)["contacts"].as_array().unwrap().len(), 1);

    // One contact with its calls; another DJ's is not found; admins see every DJ's.
    let id = contact["id"].as_str().unwrap();
    let body = get(&w.t, &format!("/api/djdash/contacts/{id}"), &w.dj_a).await;
    let body = body.ok(200);
    assert_eq!(body["contact"]["id"], json!(id));
    let times: Vec<&str> = body["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["timestamp"].as_str().unwrap())
        .collect();
    assert_eq!(times, ["2026-06-03T10:00:00Z", "2026-06-01T10:00:00Z"]);
    get(&w.t, &format!("/api/djdash/contacts/{id}"), &w.dj_b)
        .await
        .assert_error(404, "not_found", None);
    get(&w.t, &format!("/api/djdash/contacts/{NOBODY}"), &w.admin)
        .await
        .assert_error(404, "not_found", None);
    get(
        &w.t,
        &format!("/api/djdash/contacts?dj_profile_id={a}"),
        &w.dj_b,
    )
    .await
    .assert_error(403, "forbidden", None);
    let all = get(&w.t, "/api/djdash/contacts", &w.admin).await;
    assert_eq!(all.ok(200)["contacts"].as_array().unwrap().len(), 6);
    let theirs = get(&w.t, "/api/djdash/contacts", &w.dj_b).await;
    assert_eq!(theirs.ok(200)["contacts"].as_array().unwrap().len(), 1);
}

async fn bad_input(t: djcalls_testkit::TestApp) {
    let w = World::on(t).await;
    let cases: [(&str, &str); 9] = [
        ("/api/djdash/contacts?limit=0", "limit"),
        ("/api/djdash/contacts?limit=1001", "limit"),
        ("/api/djdash/contacts?limit=ten", "limit"),
        ("/api/djdash/contacts?cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("/api/djdash/contacts?phone=abc", "phone"),
        ("/api/djdash/contacts?phone=1234567890123456", "phone"),
        ("/api/djdash/contacts?start_date=yesterday", "start_date"),
        ("/api/djdash/contacts?dj_profile_id=nope", "dj_profile_id"),
        ("/api/djdash/contacts/not-a-uuid", "id"),
    ];
    for (path, field) in cases {
        get(&w.t, path, &w.admin)
            .await
            .assert_error_in(400, "invalid_field", Some(field), path);
    }
    let anonymous = super::support::raw(
        &w.t,
        reqwest::Method::GET,
        "/api/djdash/contacts",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(anonymous.status, 401);
}
