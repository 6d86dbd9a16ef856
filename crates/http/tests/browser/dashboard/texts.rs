//! Two-way texts in Chromium (SPEC §13): a caller texts after their call; the DJ's dashboard
//! lists it under "New messages" with a link to the call page; the call page shows the
//! conversation (the follow-up text and the caller's), the DJ replies with the page's form,
//! and Twilio's delivery report and the caller's next text appear without a reload. The API
//! agrees and the console stays free of errors.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, SIGNATURE_HEADER, compute_signature, deliver};
use djcalls_testkit::TestApp;
use djcalls_testkit::browser::{Browser, Viewport};

const CALLER: &str = "+14155550177";

async fn sms_webhook(t: &TestApp, path: &str, params: &[(&str, &str)]) {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    let signature = compute_signature(SIMULATOR_AUTH_TOKEN, &t.url(path), &params);
    let status = t
        .client
        .post(t.url(path))
        .header(SIGNATURE_HEADER, signature)
        .form(&params)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{path}: {status}");
}

async fn text_in(t: &TestApp, to: &str, body: &str) {
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    sms_webhook(
        t,
        "/api/djdash/sms/incoming",
        &[
            ("MessageSid", &sid),
            ("From", CALLER),
            ("To", to),
            ("Body", body),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dj_sees_a_new_text_and_replies_from_the_call_page() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let (t, world) = seeded_world().await;
    // 13:00 in New York: outside quiet hours in every demo zone.
    t.clock.set("2026-06-15T17:00:00Z".parse().unwrap());
    let number = world
        .profiles
        .iter()
        .find(|(id, _, _)| *id == sparkle())
        .map(|(_, _, number)| number.clone())
        .unwrap();
    let scenario = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse(CALLER).unwrap(),
        PhoneNumber::parse(&number).unwrap(),
    );
    deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &scenario.deliveries())
        .await
        .unwrap();
    t.app.run_due_jobs().await;
    let id = t
        .calls_of(sparkle())
        .await
        .into_iter()
        .find(|c| c["caller_number"] == CALLER)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    text_in(&t, &number, "Is June 14th still open?").await;

    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    page.wait_until(
        "the new text on the dashboard",
        "[...document.querySelectorAll('[data-testid=new-message]')]\
         .some(e => e.textContent.includes('June 14th still open'))",
    )
    .await;
    page.click(&format!(
        "[data-testid=new-message-link][href^='/dashboard/calls/{id}']"
    ))
    .await;
    page.wait_until(
        "the call page with the conversation and the reply form",
        "location.pathname.startsWith('/dashboard/calls/') \
         && document.querySelectorAll('[data-testid=message]').length === 2 \
         && document.querySelector('[data-testid=reply-form]')",
    )
    .await;
    let directions = page
        .eval("return [...document.querySelectorAll('[data-testid=message]')].map(e => e.dataset.direction);")
        .await;
    assert_eq!(directions, serde_json::json!(["outbound", "inbound"]));

    fill(
        &page,
        "[data-testid=reply-body]",
        "Yes it is! Want to hold it?",
    )
    .await;
    page.click("[data-testid=reply-submit]").await;
    page.wait_until(
        "the reply in the conversation",
        "document.querySelector('[data-testid=reply-notice]') \
         && document.querySelectorAll('[data-testid=message]').length === 3",
    )
    .await;
    assert_eq!(
        page.text("[data-testid=reply-notice]").await.trim(),
        "Your text was sent."
    );
    let sent = t.telephony.sent_messages();
    let reply = sent.last().unwrap();
    assert_eq!(reply.body, "Yes it is! Want to hold it?");
    assert_eq!(reply.from.as_str(), number);
    page.wait_until(
        "the live stream of the call page",
        "document.querySelector('#call-page').dataset.live === 'on'",
    )
    .await;

    // Without a reload: Twilio reports the reply delivered, and the caller answers.
    sms_webhook(
        &t,
        "/api/djdash/sms/status",
        &[
            ("MessageSid", reply.sid.as_str()),
            ("MessageStatus", "delivered"),
            ("To", CALLER),
        ],
    )
    .await;
    page.wait_until(
        "the delivery state, live",
        "document.querySelectorAll('[data-testid=message]')[2].dataset.status === 'delivered'",
    )
    .await;
    text_in(&t, &number, "Yes please, how do I pay the deposit?").await;
    page.wait_until(
        "the caller's answer, live",
        "document.querySelectorAll('[data-testid=message]').length === 4",
    )
    .await;
    page.screenshot("dashboard-call-texts").await;

    let api = t
        .service_json(&format!("/api/djdash/calls/{id}/messages"))
        .await;
    let statuses: Vec<&str> = api["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses[2], "delivered", "{api}");
    assert_eq!(statuses.len(), 4);

    // The dashboard now lists only the text that came after the reply.
    page.goto(&t.url("/dashboard")).await;
    page.wait_until(
        "the dashboard's new messages",
        "document.querySelector('[data-testid=new-messages]')",
    )
    .await;
    let listed = page.text("[data-testid=new-messages]").await;
    assert!(listed.contains("how do I pay the deposit"), "{listed}");
    assert!(!listed.contains("June 14th still open"), "{listed}");
    let errors = page.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    page.close().await;
}
