//! The admin console's outbound webhooks page in Chromium: reached from the console's link,
//! it lists the endpoint and its delivery with the delivery's status.

use super::support::*;
use djcalls_domain::{Actor, WebhookEndpointId};
use djcalls_store::jobs::NewJob;
use djcalls_store::webhooks::{AttemptRecord, NewWebhookEvent, WebhookEndpoint};
use djcalls_testkit::browser::{Browser, Viewport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_follows_the_console_to_the_webhook_endpoints_and_their_deliveries() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let now = t.app.now();
    let endpoint = WebhookEndpoint {
        id: WebhookEndpointId::new_v7(),
        url: "https://hooks.example.com/browser".into(),
        events: vec!["call.completed".into()],
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        created_at: now,
        disabled_at: None,
        disabled_reason: None,
    };
    let store = &t.db.store;
    store
        .insert_webhook_endpoint(&Actor::System, &endpoint)
        .await
        .unwrap();
    let event = NewWebhookEvent {
        event_id: "msg_browser1".into(),
        event_type: "call.completed".into(),
        body: "{}".into(),
    };
    let created = store
        .fan_out_webhook_event(&event, now, |id| NewJob {
            kind: "test_nothing".into(),
            payload: "{}".into(),
            dedupe_key: format!("test:{id}"),
            dj_profile_id: None,
            run_at: now,
            max_attempts: 1,
        })
        .await
        .unwrap();
    let delivered = AttemptRecord {
        status: Some(200),
        delivered: true,
        ..AttemptRecord::default()
    };
    store
        .record_webhook_attempt(created[0], &delivered, now)
        .await
        .unwrap();

    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, ADMIN, "admin").await;
    page.click("[data-testid=webhooks-link]").await;
    page.wait_until(
        "the webhooks page",
        "document.querySelector('[data-testid=webhook-endpoints]') && document.querySelector('[data-testid=webhook-deliveries]')",
    )
    .await;
    let row = format!("[data-endpoint-id='{}']", endpoint.id);
    assert!(
        page.text(&row)
            .await
            .contains("https://hooks.example.com/browser")
    );
    let delivery = format!("[data-delivery-id='{}']", created[0]);
    assert_eq!(
        page.attr(&delivery, "data-status").await.as_deref(),
        Some("delivered")
    );
    assert!(page.text(&delivery).await.contains("HTTP 200"));
    page.screenshot("dashboard-admin-webhooks").await;
}
