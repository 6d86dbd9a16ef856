//! Deliveries: signed, retried with the same id until 3 days have passed (then the endpoint
//! is disabled), never held up by another endpoint, retried by hand.

use super::receiver::Receiver;
use super::*;
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;

djcalls_testkit::on_both_backends! { TestApp:
    a_call_that_ends_reaches_the_endpoint_signed_and_the_secret_is_shown_once => signed_delivery;
    a_failing_endpoint_is_retried_with_the_same_id_for_3_days_then_disabled => retried_then_disabled;
    a_slow_endpoint_does_not_hold_up_another => slow_endpoint;
    a_delivery_is_retried_by_hand_with_the_same_id => manual_retry;
}

async fn signed_delivery(t: TestApp) {
    let receiver = Receiver::start(204).await;
    let served = beside(&t, true).await;
    let (id, secret) = endpoint(&t, &served, &receiver.url, &["call.completed"]).await;
    assert!(secret.starts_with("whsec_"), "{secret}");

    // The secret is never shown again.
    let listed = t.service_json("/api/djdash/webhook-endpoints").await;
    assert_eq!(listed["endpoints"][0]["id"], json!(id));
    assert!(listed["endpoints"][0].get("secret").is_none(), "{listed}");
    let one = t
        .service_json(&format!("/api/djdash/webhook-endpoints/{id}"))
        .await;
    assert_eq!(one["endpoint"]["url"], json!(receiver.url));
    assert!(one["endpoint"].get("secret").is_none(), "{one}");

    dj_and_call(&t, &served, "dj-hooks-signed", CallOutcome::Answered).await;
    served.app.run_due_jobs().await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "one delivery");
    let delivery = &got[0];
    assert!(
        delivery.verifies_with(&secret),
        "the receiver verifies the signature"
    );
    assert!(!delivery.verifies_with("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    assert_eq!(delivery.timestamp, t.app.now().0.as_second());
    let body = delivery.json();
    assert_eq!(
        body["id"],
        json!(delivery.id),
        "the body's id is the webhook-id"
    );
    assert_eq!(body["type"], json!("call.completed"));
    assert!(body["timestamp"].as_str().is_some());
    assert_eq!(body["data"]["answered"], json!(true));
    assert_eq!(body["data"]["caller_number"], json!("+14155550123"));

    let log = deliveries(&t, &t.base_url, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], json!("delivered"));
    assert_eq!(log[0]["event_id"], json!(delivery.id));
    assert_eq!(
        (log[0]["attempts"].clone(), log[0]["last_status"].clone()),
        (json!(1), json!(204))
    );
}

async fn retried_then_disabled(t: TestApp) {
    let receiver = Receiver::start(500).await;
    let served = beside(&t, true).await;
    let (id, _) = endpoint(&t, &served, &receiver.url, &["call.missed"]).await;
    let number = dj_and_call(&t, &served, "dj-hooks-retried", CallOutcome::Missed).await;
    let started = t.app.now().0;
    served.app.run_due_jobs().await;
    let mut rounds = 0;
    loop {
        let log = deliveries(&t, &t.base_url, &id).await;
        assert_eq!(log.len(), 1);
        if log[0]["status"] == json!("failed") {
            break;
        }
        let next: Timestamp = log[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
        assert!(next > t.app.now().0, "the next attempt is later");
        t.clock.set(next);
        served.app.run_due_jobs().await;
        rounds += 1;
        assert!(rounds < 30, "the retries end");
    }
    let got = receiver.received();
    assert_eq!(got.len(), 13, "the first attempt and 12 retries");
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "the same webhook-id every time"
    );
    assert_eq!(got[0].json()["type"], json!("call.missed"));
    assert_eq!(
        t.app.now().0.duration_since(started),
        SignedDuration::from_hours(72),
        "the last attempt is 3 days after the event"
    );
    let endpoint = t
        .service_json(&format!("/api/djdash/webhook-endpoints/{id}"))
        .await;
    assert!(
        endpoint["endpoint"]["disabled_at"].is_string(),
        "{endpoint}"
    );

    // A disabled endpoint gets nothing new.
    call(&served, &number, CallOutcome::Missed).await;
    served.app.run_due_jobs().await;
    assert_eq!(deliveries(&t, &t.base_url, &id).await.len(), 1);
    assert_eq!(receiver.received().len(), 13);
}

async fn slow_endpoint(t: TestApp) {
    let slow = Receiver::held(200).await;
    let fast = Receiver::start(200).await;
    let served = beside(&t, true).await;
    // Created first, so its delivery is claimed first: a runner that ran deliveries one after
    // the other would reach the fast endpoint only after the slow one answered.
    let (slow_id, _) = endpoint(&t, &served, &slow.url, &["call.completed"]).await;
    let (fast_id, _) = endpoint(&t, &served, &fast.url, &["call.completed"]).await;
    let runner = served.app.start_job_runner(4, Duration::from_millis(50));
    dj_and_call(&t, &served, "dj-hooks-slow", CallOutcome::Answered).await;

    slow.wait_for(1).await;
    fast.wait_for(1).await;
    assert_eq!(
        slow.received().len(),
        1,
        "the slow endpoint is still answering"
    );
    slow.release();
    runner.shutdown().await;
    for id in [slow_id, fast_id] {
        let log = deliveries(&t, &t.base_url, &id).await;
        assert_eq!(log[0]["status"], json!("delivered"), "{log:?}");
    }
}

async fn manual_retry(t: TestApp) {
    let receiver = Receiver::start(503).await;
    let served = beside(&t, true).await;
    let (id, secret) = endpoint(&t, &served, &receiver.url, &["call.completed"]).await;
    dj_and_call(&t, &served, "dj-hooks-manual", CallOutcome::Answered).await;
    served.app.run_due_jobs().await;
    let log = deliveries(&t, &t.base_url, &id).await;
    assert_eq!(
        (log[0]["status"].clone(), log[0]["last_status"].clone()),
        (json!("pending"), json!(503))
    );
    let delivery_id = log[0]["id"].as_str().unwrap().to_string();
    let retry = format!("/api/djdash/webhook-endpoints/deliveries/{delivery_id}/retry");

    let dj = dj_token(&t, "dj-hooks-retrier").await;
    let refused = t
        .client
        .post(t.url(&retry))
        .bearer_auth(&dj)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);

    receiver.answer_with(200);
    let retried = t
        .client
        .post(served.url(&retry))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status().as_u16(), 200);
    served.app.run_due_jobs().await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].id, got[0].id, "the same webhook-id");
    assert!(got[1].verifies_with(&secret));
    let log = deliveries(&t, &t.base_url, &id).await;
    assert_eq!(log[0]["status"], json!("delivered"));

    // The automatic retry that was scheduled finds it delivered and sends nothing.
    t.clock.set(t.app.now().0 + SignedDuration::from_secs(5));
    served.app.run_due_jobs().await;
    assert_eq!(receiver.received().len(), 2);
}
