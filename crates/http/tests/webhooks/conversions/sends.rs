//! What reaches GA4 and Meta for payments, redeliveries, failures, refunds and calls without
//! a click.

use super::support::{CALLER_HASH, VISITOR, World};
use djcalls_domain::Actor;
use djcalls_testkit::TestApp;
use djcalls_testkit::ad_platforms::{
    AdPlatform, GA4_API_SECRET, GA4_MEASUREMENT_ID, META_ACCESS_TOKEN, META_PIXEL_ID,
};
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    a_payment_sends_one_purchase_to_each_platform => one_purchase_each;
    a_redelivered_payment_webhook_still_sends_one => redelivery_sends_once;
    a_platform_failure_is_retried_and_sent_once => retried_once_more;
    a_refund_sends_a_ga4_refund => refund_sends_ga4_refund;
    a_call_without_a_click_sends_nothing_to_ga4 => no_click_no_ga4;
}

async fn one_purchase_each(t: TestApp) {
    let w = World::on(t, true).await;
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15050).await;
    assert_eq!(w.run_jobs().await, 2);

    let ga4 = w.fake.accepted(AdPlatform::Ga4);
    assert_eq!(ga4.len(), 1);
    assert_eq!(ga4[0].query["measurement_id"], GA4_MEASUREMENT_ID);
    assert_eq!(ga4[0].query["api_secret"], GA4_API_SECRET);
    let body = &ga4[0].body;
    assert_eq!(body["client_id"], VISITOR);
    let event = &body["events"][0];
    assert_eq!(event["name"], "purchase");
    assert_eq!(event["params"]["value"], json!(150.5));
    assert_eq!(event["params"]["currency"], "USD");
    let payment_id = event["params"]["transaction_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Our payment id: the ledger row's, whose conversion job it names.
    let job =
        w.t.db
            .store
            .job_by_dedupe_key(&Actor::System, &format!("ga4_conversion:{payment_id}"))
            .await
            .unwrap();
    assert!(job.is_some(), "{payment_id} is not a ledger row id");

    let meta = w.fake.accepted(AdPlatform::Meta);
    assert_eq!(meta.len(), 1);
    assert_eq!(meta[0].path, format!("/v26.0/{META_PIXEL_ID}/events"));
    assert_eq!(meta[0].query["access_token"], META_ACCESS_TOKEN);
    let event = &meta[0].body["data"][0];
    assert_eq!(event["event_name"], "Purchase");
    assert_eq!(event["action_source"], "phone_call");
    assert_eq!(event["event_id"], payment_id.as_str());
    assert_eq!(event["user_data"]["ph"], json!([CALLER_HASH]));
    assert_eq!(event["custom_data"]["value"], json!(150.5));
    assert_eq!(event["custom_data"]["currency"], "USD");
    assert_eq!(
        event["event_time"].as_i64().unwrap(),
        w.t.app.now().0.as_second()
    );
    // The number itself never leaves.
    assert!(!meta[0].body.to_string().contains("4155550123"));
}

async fn redelivery_sends_once(t: TestApp) {
    let w = World::on(t, true).await;
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15000).await;
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15000).await;
    w.run_jobs().await;
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15000).await;
    w.advance_hours(2);
    w.run_jobs().await;
    assert_eq!(w.fake.received(AdPlatform::Ga4).len(), 1);
    assert_eq!(w.fake.received(AdPlatform::Meta).len(), 1);
}

async fn retried_once_more(t: TestApp) {
    let w = World::on(t, true).await;
    w.fake.answer_next(AdPlatform::Ga4, &[500]);
    w.fake.answer_next(AdPlatform::Meta, &[503]);
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15000).await;
    w.run_jobs().await;
    assert_eq!(w.fake.received(AdPlatform::Ga4).len(), 1);
    assert!(w.fake.accepted(AdPlatform::Ga4).is_empty());
    // The failure is kept without the secrets in its URL.
    let pending = w.t.db.store.pending_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(pending.len(), 2, "both wait for a retry");
    for job in &pending {
        let error = format!("{job:?}");
        assert!(!error.contains(GA4_API_SECRET) && !error.contains(META_ACCESS_TOKEN));
    }
    // Nothing more until the backoff has passed; then one more attempt, accepted.
    assert_eq!(w.run_jobs().await, 0);
    w.advance_hours(2);
    assert_eq!(w.run_jobs().await, 2);
    for platform in [AdPlatform::Ga4, AdPlatform::Meta] {
        assert_eq!(w.fake.received(platform).len(), 2, "{platform:?}");
        assert_eq!(w.fake.accepted(platform).len(), 1, "{platform:?}");
    }
    w.advance_hours(24);
    assert_eq!(w.run_jobs().await, 0);
}

async fn refund_sends_ga4_refund(t: TestApp) {
    let w = World::on(t, true).await;
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15000).await;
    w.run_jobs().await;
    w.tipjar("evt_r1", "payment.refunded", "pay_1", 5000).await;
    w.run_jobs().await;
    let ga4 = w.fake.accepted(AdPlatform::Ga4);
    assert_eq!(ga4.len(), 2);
    let (purchase, refund) = (&ga4[0].body["events"][0], &ga4[1].body["events"][0]);
    assert_eq!(refund["name"], "refund");
    assert_eq!(ga4[1].body["client_id"], VISITOR);
    assert_eq!(
        refund["params"]["transaction_id"],
        purchase["params"]["transaction_id"]
    );
    assert_eq!(refund["params"]["value"], json!(50.0));
    // Meta hears of the purchase only.
    assert_eq!(w.fake.received(AdPlatform::Meta).len(), 1);
}

async fn no_click_no_ga4(t: TestApp) {
    let w = World::on(t, false).await;
    w.tipjar("evt_1", "payment.succeeded", "pay_1", 15000).await;
    w.run_jobs().await;
    assert!(w.fake.received(AdPlatform::Ga4).is_empty());
    assert_eq!(w.fake.accepted(AdPlatform::Meta).len(), 1);
    let _ = w.call;
}
