//! The admin console's A/B tests page in Chromium: reached from the console's link, it shows
//! each experiment's per-variant figures, conversion rate, interval and winner exactly as the
//! API gives them (after real texts and payments); its Stop and Start buttons work, and the
//! page logs no console errors.

use super::support::*;
use djcalls_app::settings::{SIMULATOR_AUTH_TOKEN, SIMULATOR_WEBHOOK_SECRET};
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Page, Viewport};
use serde_json::{Value, json};

async fn api(t: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = t
        .client
        .request(method, t.url(path))
        .bearer_auth(t.service_key());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

fn experiment(name: &str, split: [i64; 2]) -> Value {
    json!({"name": name, "split": split, "variants": [
        {"name": "Deposit", "thanks": {"en": "Deposit: hold your date with {dj_name}: {link}"}},
        {"name": "Friendly", "thanks": {"en": "Friendly: thanks for calling {dj_name}! {link}"}},
    ]})
}

/// Six answered calls texted under the running experiment; the first two texts' links paid.
async fn texts_and_payments(t: &TestApp, number: &PhoneNumber) {
    for i in 0..6 {
        let caller = PhoneNumber::parse(&format!("+141555506{i:02}")).unwrap();
        let mut s = CallScenario::new(CallOutcome::Answered, caller, number.clone());
        s.talk_secs = 95;
        deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
            .await
            .unwrap();
    }
    t.app.run_due_jobs().await;
    assert_eq!(t.telephony.sent_messages().len(), 6);
    for (i, text) in t.telephony.sent_messages().iter().take(2).enumerate() {
        let token = text.body.split("/pay/").nth(1).unwrap();
        let token = token.split_whitespace().next().unwrap();
        let link =
            t.db.store
                .payment_link_by_token(token)
                .await
                .unwrap()
                .unwrap();
        let body = json!({"id": format!("evt_{i}"), "type": "payment.succeeded", "data": {
            "payment_id": format!("pay_{i}"), "amount_cents": 5_000 + i, "currency": "usd",
            "reference": link.reference}})
        .to_string();
        let secret = secrecy::SecretString::from(SIMULATOR_WEBHOOK_SECRET);
        let at = t.app.now().0.as_second();
        let signature = djcalls_app::payments::sign_tipjar_payload(&secret, at, body.as_bytes());
        let response = t
            .client
            .post(t.url("/api/tipjar/webhook"))
            .header("content-type", "application/json")
            .header("X-TipJar-Signature", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

/// Every figure the page shows for the experiment equals the API's.
async fn assert_page_matches_the_api(page: &Page, e: &Value) {
    let card = format!("[data-experiment-id='{}']", e["id"].as_str().unwrap());
    let state = page.attr(&card, "data-state").await;
    assert_eq!(state.as_deref(), e["state"].as_str());
    let winner = page.attr(&card, "data-winner").await.unwrap();
    assert_eq!(winner, e["winner"]["name"].as_str().unwrap_or(""));
    for v in e["variants"].as_array().unwrap() {
        let row = format!(
            "{card} [data-testid=variant][data-position='{}']",
            v["position"]
        );
        for key in ["split", "sent", "opened", "paid", "revenueCents"] {
            let cell = format!("{row} [data-metric={key}]");
            let shown = page.attr(&cell, "data-value").await.unwrap();
            assert_eq!(shown, v[key].to_string(), "{key} of {row}");
        }
        let number = |s: Option<String>| {
            s.filter(|s| !s.is_empty())
                .map(|s| s.parse::<f64>().unwrap())
        };
        let rate = page
            .attr(&format!("{row} [data-metric=conversionRate]"), "data-value")
            .await;
        assert_eq!(number(rate), v["conversionRate"].as_f64(), "{row}");
        let interval = format!("{row} [data-metric=conversionInterval]");
        let low = number(page.attr(&interval, "data-low").await);
        let high = number(page.attr(&interval, "data-high").await);
        assert_eq!(low, v["conversionInterval"]["low"].as_f64());
        assert_eq!(high, v["conversionInterval"]["high"].as_f64());
        if let Some(r) = v["conversionRate"].as_f64() {
            let text = page
                .text(&format!("{row} [data-metric=conversionRate]"))
                .await;
            assert_eq!(text, format!("{r:.2} %"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_the_experiments_figures_and_stops_and_starts_them() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    t.clock.set("2026-06-15T16:00:00Z".parse().unwrap());
    let (_, number) = t.dj_with_number("dj-ab", "DJ Ab", "America/New_York").await;
    let post = reqwest::Method::POST;
    let first = api(
        &t,
        post.clone(),
        "/api/djdash/experiments",
        Some(experiment("Wording", [50, 50])),
    )
    .await;
    let first = first["experiment"]["id"].as_str().unwrap().to_string();
    api(
        &t,
        post.clone(),
        &format!("/api/djdash/experiments/{first}/start"),
        None,
    )
    .await;
    let second = api(
        &t,
        post,
        "/api/djdash/experiments",
        Some(experiment("Later", [30, 70])),
    )
    .await;
    let second = second["experiment"]["id"].as_str().unwrap().to_string();
    texts_and_payments(&t, &number).await;

    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, ADMIN, "admin").await;
    page.click("[data-testid=experiments-link]").await;
    page.wait_until(
        "the experiments page",
        "document.querySelectorAll('[data-testid=experiment]').length === 2",
    )
    .await;
    let list = t.service_json("/api/djdash/experiments").await;
    let experiments = list["experiments"].as_array().unwrap();
    let sent: i64 = experiments[1]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sent"].as_i64().unwrap())
        .sum();
    assert_eq!(sent, 6, "{list}");
    for e in experiments {
        assert_page_matches_the_api(&page, e).await;
    }
    page.screenshot("dashboard-admin-experiments").await;

    // Stop the running one, then start the other, with the page's buttons.
    page.click(&format!("[data-testid=stop-{first}]")).await;
    page.wait_until(
        "the first experiment stopped",
        &format!(
            "new URLSearchParams(location.search).get('notice') === 'stopped' \
             && document.querySelector(\"[data-experiment-id='{first}']\").dataset.state === 'stopped'"
        ),
    )
    .await;
    page.click(&format!("[data-testid=start-{second}]")).await;
    page.wait_until(
        "the second experiment running",
        &format!(
            "new URLSearchParams(location.search).get('notice') === 'started' \
             && document.querySelector(\"[data-experiment-id='{second}']\").dataset.state === 'running'"
        ),
    )
    .await;
    let list = t.service_json("/api/djdash/experiments").await;
    for e in list["experiments"].as_array().unwrap() {
        assert_page_matches_the_api(&page, e).await;
    }
    assert_eq!(list["experiments"][0]["state"], "running");
    assert_eq!(list["experiments"][1]["state"], "stopped");
    assert_no_failed_loads(&page).await;
    let errors = page.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    page.close().await;
}
