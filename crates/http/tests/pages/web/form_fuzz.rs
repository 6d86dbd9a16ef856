//! Issue 10's fuzz suite, for the dashboards' forms: every `<form>` of the sign-in page, a DJ's
//! dashboard, call page and contacts list and the admin console, read from the pages themselves
//! (action, method, field names), is submitted with generated values — with the page's own CSRF token
//! and session, and without — as GET or POST per the form. Not one answer may be a 5xx.
//! The seed is printed; `DJCALLS_FUZZ_SEED` replays it.

use super::support::*;
use djcalls_domain::DjProfileId;
use reqwest::{Client, StatusCode};
use serde_json::json;

#[path = "../../api/openapi/schema_values.rs"]
#[allow(dead_code)] // Shared with the API fuzz suite, which uses all of it.
mod schema_values;

use schema_values::{Generator, percent_encode};

/// A form as the page shows it.
#[derive(Debug)]
struct Form {
    action: String,
    post: bool,
    fields: Vec<String>,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(
        tag[start..start + end]
            .replace("&#x2f;", "/")
            .replace("&amp;", "&"),
    )
}

fn forms(html: &str) -> Vec<Form> {
    html.match_indices("<form")
        .filter_map(|(start, _)| {
            let end = start + html[start..].find("</form>")?;
            let body = &html[start..end];
            let tag = &body[..body.find('>')?];
            let mut fields: Vec<String> = body
                .match_indices(" name=\"")
                .filter_map(|(i, _)| attribute(&body[i..], "name"))
                .collect();
            fields.dedup();
            Some(Form {
                action: attribute(tag, "action")?,
                post: attribute(tag, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")),
                fields,
            })
        })
        .collect()
}

async fn page(client: &Client, app: &djcalls_testkit::TestApp, path: &str) -> String {
    let (status, html) = get(client, app, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_form_answers_generated_input_without_a_5xx() {
    let seed: u64 = std::env::var("DJCALLS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond() as u64);
    eprintln!("form fuzz seed {seed} (DJCALLS_FUZZ_SEED={seed} replays it)");
    let app = seeded().await;
    let dj = login(&app, SPARKLE).await;
    let admin = login(&app, ADMIN).await;
    let anonymous = client();
    let call = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let call_page = format!("/dashboard/calls/{call}");
    let sessions: [(&str, &Client, &str); 5] = [
        ("anonymous", &anonymous, "/login"),
        ("dj", &dj, "/dashboard"),
        ("dj", &dj, call_page.as_str()),
        ("dj", &dj, "/dashboard/contacts"),
        ("admin", &admin, "/admin"),
    ];
    let doc = json!({});
    let mut generator = Generator::new(&doc, seed, vec![SPARKLE_ID.into(), MARCO_ID.into(), call]);
    let (mut sent, mut failures) = (0, Vec::new());
    // Every page is read before any form is sent: a fuzzed sign-out ends its session.
    let mut all = Vec::new();
    for (who, client, path) in sessions {
        let html = page(client, &app, path).await;
        let token = csrf(&html);
        let found = forms(&html);
        assert!(!found.is_empty(), "no forms on {path}");
        all.extend(
            found
                .into_iter()
                .map(|form| (who, client, token.clone(), form)),
        );
    }
    all.sort_by_key(|(_, _, _, form)| form.action == "/logout");
    let seen_actions: Vec<String> = all.iter().map(|(_, _, _, f)| f.action.clone()).collect();
    for (who, client, token, form) in all {
        for _ in 0..15 {
            let mut pairs: Vec<(String, String)> = Vec::new();
            for field in &form.fields {
                let value = match field.as_str() {
                    "csrf" if generator.chance(80) => token.clone(),
                    _ => generator.string(&json!({"type": "string"})),
                };
                if generator.chance(85) {
                    pairs.push((field.clone(), value));
                }
            }
            // The session: the page's own, or none at all.
            let sender = if generator.chance(80) {
                client
            } else {
                &anonymous
            };
            let response = if form.post {
                sender
                    .post(app.url(&form.action))
                    .form(&pairs)
                    .send()
                    .await
                    .unwrap()
            } else {
                let query: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
                    .collect();
                sender
                    .get(app.url(&format!("{}?{}", form.action, query.join("&"))))
                    .send()
                    .await
                    .unwrap()
            };
            sent += 1;
            let status = response.status();
            if status.is_server_error() {
                failures.push(format!(
                    "{who} {} {} {pairs:?} → {status} {}",
                    if form.post { "POST" } else { "GET" },
                    form.action,
                    response.text().await.unwrap_or_default()
                ));
            }
        }
    }
    for action in [
        "/login",
        "/admin/numbers/buy",
        "/admin/numbers/assign",
        "/dashboard",
        "/dashboard/contacts",
    ] {
        assert!(
            seen_actions.iter().any(|a| a == action),
            "{action} not fuzzed: {seen_actions:?}"
        );
    }
    eprintln!(
        "form fuzz: {sent} submissions, {} answered 5xx",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {sent} submissions answered 5xx:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
