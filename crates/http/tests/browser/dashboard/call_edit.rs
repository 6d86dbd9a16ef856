//! A DJ corrects a call on its page in Chromium: a voicemail about a wedding arrives through
//! the signed webhooks (so the insights card shows), its quality is on record, and the DJ sets
//! event type, lead score and notes with the form; after a reload the values are kept, the
//! API agrees, and the console stayed free of errors.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::quality::{CallQuality, DisconnectedBy};
use djcalls_domain::{CallId, PhoneNumber};
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::browser::{Browser, Viewport};

const CALLER: &str = "+14155550199";

/// Chooses `value` in the `<select>` matching `css`, as picking it with the mouse would.
async fn choose(page: &djcalls_testkit::browser::Page, css: &str, value: &str) {
    let script = format!(
        "const e = document.querySelector('{css}'); e.value = '{value}'; \
         e.dispatchEvent(new Event('change', {{bubbles: true}})); return e.value;"
    );
    assert_eq!(page.eval(&script).await, serde_json::json!(value));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dj_corrects_event_type_lead_score_and_notes_on_the_call_page() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let (t, world) = seeded_world().await;
    let number = world
        .profiles
        .iter()
        .find(|(id, _, _)| *id == sparkle())
        .map(|(_, _, number)| number.clone())
        .unwrap();
    let scenario = CallScenario::new(
        CallOutcome::Voicemail,
        PhoneNumber::parse(CALLER).unwrap(),
        PhoneNumber::parse(&number).unwrap(),
    );
    deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &scenario.deliveries())
        .await
        .unwrap();
    let call = t
        .calls_of(sparkle())
        .await
        .into_iter()
        .find(|c| c["caller_number"] == CALLER)
        .unwrap();
    assert_eq!(call["insights"]["event_type"], "wedding", "{call}");
    let id = call["id"].as_str().unwrap().to_string();
    let quality = CallQuality {
        disconnected_by: DisconnectedBy::Caller,
        post_dial_delay_ms: Some(140),
        mos: Some(4.1),
        jitter_ms: Some(1.2),
        packet_loss_percent: Some(0.1),
    };
    t.db.store
        .record_call_quality(CallId(id.parse().unwrap()), &quality, t.app.now())
        .await
        .unwrap();

    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    page.goto(&t.url(&format!("/dashboard/calls/{id}"))).await;
    page.wait_until(
        "the call page with its insights, quality and form",
        "document.querySelector('[data-testid=insights]') && document.querySelector('[data-testid=quality]') \
         && document.querySelector('[data-testid=edit-form]')",
    )
    .await;
    let summary = page.text("[data-testid=insights-summary]").await;
    assert!(summary.to_lowercase().contains("wedding"), "{summary}");
    assert_eq!(page.text("[data-testid=quality-mos]").await.trim(), "4.1");

    choose(&page, "[data-testid=edit-event-type]", "anniversary").await;
    choose(&page, "[data-testid=edit-lead-score]", "warm").await;
    let note = "Asked about a 25th anniversary instead";
    fill(&page, "[data-testid=edit-notes]", note).await;
    page.screenshot("dashboard-call-edit").await;
    page.click("[data-testid=edit-submit]").await;
    page.wait_until(
        "the call page again after saving",
        "document.querySelector('[data-testid=notes]') \
         && document.querySelector('[data-testid=notes]').textContent.includes('25th')",
    )
    .await;
    page.client.refresh().await.unwrap();
    page.wait_until(
        "the reloaded call page",
        "document.querySelector('[data-testid=edit-form]')",
    )
    .await;
    assert_eq!(
        page.text("[data-testid=event-type]").await.trim(),
        "anniversary"
    );
    assert_eq!(page.text("[data-testid=lead-score]").await.trim(), "warm");
    let form = page
        .eval(
            "return ['edit-event-type', 'edit-lead-score', 'edit-notes']\
             .map(id => document.querySelector(`[data-testid=${id}]`).value);",
        )
        .await;
    assert_eq!(form, serde_json::json!(["anniversary", "warm", note]));
    let insights = page.text("[data-testid=insights]").await;
    assert!(
        insights.contains("wedding"),
        "the insights card stays: {insights}"
    );

    let api = t.service_json(&format!("/api/djdash/calls/{id}")).await["call"].clone();
    assert_eq!(api["event_type"], "anniversary");
    assert_eq!(api["lead_score"], "warm");
    assert_eq!(api["notes"], note);
    assert_eq!(api["quality"]["disconnected_by"], "caller");
    let errors = page.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    page.close().await;
}
