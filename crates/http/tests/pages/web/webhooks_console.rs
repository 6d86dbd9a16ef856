//! The admin console's outbound webhooks page (`/admin/webhooks`): every endpoint with its
//! state, the recent deliveries with their status, attempts and last answer; never a secret;
//! admins only.

use super::*;
use djcalls_domain::{Actor, WebhookEndpointId};
use djcalls_store::jobs::NewJob;
use djcalls_store::webhooks::{AttemptRecord, NewWebhookEvent, WebhookEndpoint};

#[tokio::test]
async fn admins_see_endpoints_and_recent_deliveries_with_their_status() {
    let app = seeded().await;
    let store = &app.db.store;
    let now = app.app.now();
    let endpoint = WebhookEndpoint {
        id: WebhookEndpointId::new_v7(),
        url: "https://hooks.example.com/djcalls".into(),
        events: vec!["call.completed".into(), "lead.opted_out".into()],
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        created_at: now,
        disabled_at: None,
        disabled_reason: None,
    };
    store
        .insert_webhook_endpoint(&Actor::System, &endpoint)
        .await
        .unwrap();
    let event = NewWebhookEvent {
        event_id: "msg_console1".into(),
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
    let failed = AttemptRecord {
        status: Some(502),
        error: Some("answered 502".into()),
        next_attempt_at: Some(now),
        ..AttemptRecord::default()
    };
    store
        .record_webhook_attempt(created[0], &failed, now)
        .await
        .unwrap();

    let admin = login(&app, ADMIN).await;
    let (status, console) = get(&admin, &app, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        console.contains("href=\"/admin/webhooks\""),
        "linked from the console"
    );
    let (status, page) = get(&admin, &app, "/admin/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    let row = &page[page
        .find(&format!("data-endpoint-id=\"{}\"", endpoint.id))
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("https://hooks.example.com/djcalls"), "{row}");
    assert!(row.contains("call.completed, lead.opted_out"), "{row}");
    assert!(row.contains("data-enabled=\"true\""), "{row}");
    let delivery = &page[page
        .find(&format!("data-delivery-id=\"{}\"", created[0]))
        .unwrap()..];
    let delivery = &delivery[..delivery.find("</tr>").unwrap()];
    assert!(delivery.contains("data-status=\"pending\""), "{delivery}");
    assert!(delivery.contains("msg_console1"), "{delivery}");
    assert!(delivery.contains("HTTP 502"), "{delivery}");
    assert!(!page.contains("whsec_"), "no secret on the page");

    let dj = login(&app, SPARKLE).await;
    let (status, _) = get(&dj, &app, "/admin/webhooks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
