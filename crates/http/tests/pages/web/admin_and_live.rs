//! The admin console's forms and live updates over server-sent events.

use super::*;
use tokio::time::timeout;

fn pool_count(page: &str, state: &str) -> i64 {
    attr_after(page, &format!("data-testid=\"pool-{state}\""), "data-value")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn admins_see_the_pool_and_jobs_and_their_forms_work() {
    let app = seeded().await;
    let admin = login(&app, ADMIN).await;
    let (status, page) = get(&admin, &app, "/admin").await;
    assert_eq!(status, 200);
    for id in [
        "pool",
        "jobs",
        "opt-outs",
        "top-djs",
        "call-table",
        "buy-form",
    ] {
        assert!(page.contains(&format!("data-testid=\"{id}\"")), "no {id}");
    }
    assert!(!metrics(&page).is_empty());
    // Every call row names its DJ (the demo DJs' ids all begin alike: an id prefix told
    // nobody anything).
    let names: Vec<String> = page
        .match_indices("data-testid=\"row-dj\">")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            rest[..rest.find("</a>").unwrap()].to_string()
        })
        .collect();
    assert!(!names.is_empty(), "no call rows");
    let demo_djs = ["DJ Sparkle", "Beats by Marco", "Luna Waves"];
    assert!(
        names.iter().all(|n| demo_djs.contains(&n.as_str())),
        "{names:?}"
    );
    let available = pool_count(&page, "available");

    // Buy two numbers into the pool.
    let r = post(
        &admin,
        &app,
        "/admin/numbers/buy",
        &[("csrf", &csrf(&page)), ("count", "2"), ("area_code", "415")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&admin, &app, "/admin?notice=bought").await;
    assert_eq!(pool_count(&page, "available"), available + 2);
    assert!(page.contains("data-testid=\"notice\""));

    // A dead job, retried from the console.
    app.dead_job().await;
    let (_, page) = get(&admin, &app, "/admin").await;
    let id = attr_after(&page, "data-testid=\"dead-jobs\"", "data-job-id");
    let r = post(
        &admin,
        &app,
        &format!("/admin/jobs/{id}/retry"),
        &[("csrf", &csrf(&page))],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&admin, &app, "/admin").await;
    assert!(!page.contains(&format!("data-testid=\"retry-{id}\"")));
    assert!(
        page.contains(&format!("data-job-id=\"{id}\"")),
        "pending again"
    );

    // Retrying it again is refused with an HTML page.
    let r = post(
        &admin,
        &app,
        &format!("/admin/jobs/{id}/retry"),
        &[("csrf", &csrf(&page))],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("data-testid=\"error\""));
}

/// Reads server-sent events until one named `call` arrives; returns its data.
async fn next_call_event(response: &mut reqwest::Response, buffer: &mut String) -> Value {
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l == "event: call") {
                let data = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap();
                return serde_json::from_str(data).unwrap();
            }
        }
        let chunk = response.chunk().await.unwrap().expect("stream ended");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn new_calls_reach_the_open_dashboard_and_only_the_owner_s() {
    let app = seeded().await;
    let dj = login(&app, SPARKLE).await;
    let mut events = dj.get(app.url("/dashboard/events")).send().await.unwrap();
    assert_eq!(events.status(), 200);
    assert!(
        events.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buffer = String::new();

    // Another DJ's call first, then our own: the first event must be ours.
    let other = log_call(&app, MARCO_ID).await;
    let mine = log_call(&app, SPARKLE_ID).await;
    let event = timeout(
        Duration::from_secs(5),
        next_call_event(&mut events, &mut buffer),
    )
    .await
    .expect("an event within 5 s");
    assert_eq!(event["call_id"], mine.as_str());
    assert_eq!(event["dj_profile_id"], SPARKLE_ID);
    assert!(!buffer.contains(&other));
    // Nothing else follows for the other DJ's call.
    let _ = log_call(&app, MARCO_ID).await;
    let more = timeout(
        Duration::from_millis(300),
        next_call_event(&mut events, &mut buffer),
    )
    .await;
    assert!(more.is_err(), "no event for another DJ's call: {more:?}");

    // The row fragment the page fetches for it.
    let (status, row) = get(&dj, &app, &format!("/dashboard/calls/{mine}/row")).await;
    assert_eq!(status, 200);
    assert!(row.trim_start().starts_with("<tr id=\"call-"));
    assert!(row.contains("Live Caller"));

    // Admins hear every DJ's calls.
    let admin = login(&app, ADMIN).await;
    let mut all = admin.get(app.url("/admin/events")).send().await.unwrap();
    assert_eq!(all.status(), 200);
    let mut buffer = String::new();
    let theirs = log_call(&app, MARCO_ID).await;
    let event = timeout(
        Duration::from_secs(5),
        next_call_event(&mut all, &mut buffer),
    )
    .await
    .expect("an event within 5 s");
    assert_eq!(event["call_id"], theirs.as_str());
}

/// The pool as the service key sees it through the JSON API.
async fn pool_numbers(app: &TestApp) -> Value {
    app.service_json("/api/djdash/virtual-numbers/pool").await
}

#[tokio::test]
async fn admins_assign_a_number_to_a_dj_and_release_a_spare_one_from_the_console() {
    let app = seeded().await;
    let admin = login(&app, ADMIN).await;
    // A DJ with a real number but no virtual number yet.
    let dj = uuid::Uuid::new_v4();
    let put = app
        .client
        .put(app.url(&format!("/api/djdash/profiles/{dj}")))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({"dj_name": "New DJ", "dj_slug": "new-dj", "real_phone_number": "+16465550177"}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());

    let (_, page) = get(&admin, &app, "/admin").await;
    // Every DJ is in the calls filter, not only the top ones, and numbers are assigned by
    // choosing the DJ by name (no pasted UUID).
    assert!(page.contains(">New DJ</option>"), "DJ filter");
    assert!(
        page.contains(
            r#"<select id="assign-dj" name="dj_profile_id" required data-testid="assign-dj">"#
        ) && page.contains(&format!(r#"<option value="{dj}">New DJ</option>"#)),
        "the assign form offers the DJ by name"
    );
    let r = post(
        &admin,
        &app,
        "/admin/numbers/assign",
        &[("csrf", &csrf(&page)), ("dj_profile_id", &dj.to_string())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number: Value = app
        .client
        .get(app.url(&format!("/api/djdash/virtual-numbers?dj_profile_id={dj}")))
        .bearer_auth(app.service_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(number["virtualNumber"]["state"], "assigned");
    // The pool table names the DJ the number went to.
    let (_, page) = get(&admin, &app, "/admin").await;
    let assigned = number["virtualNumber"]["virtual_number"].as_str().unwrap();
    let row = &page[page.find(&format!(r#"data-number="{assigned}""#)).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(&format!(r#"<td data-dj-profile-id="{dj}">New DJ</td>"#)),
        "{row}"
    );

    // Release a spare (available) pool number back to Twilio.
    let pool = pool_numbers(&app).await;
    let spare = pool["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["state"] == "available")
        .unwrap()["virtual_number"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, page) = get(&admin, &app, "/admin").await;
    let r = post(
        &admin,
        &app,
        "/admin/numbers/release",
        &[("csrf", &csrf(&page)), ("number", &spare)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pool = pool_numbers(&app).await;
    let released = pool["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["virtual_number"] == spare.as_str())
        .unwrap();
    assert_eq!(released["state"], "released");
}
