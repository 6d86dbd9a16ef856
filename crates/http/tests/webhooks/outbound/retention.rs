//! The delivery log's retention: a finished delivery is kept 30 days after it finished, then
//! the job runner's hourly housekeeping deletes it (`App::prune_housekeeping`, run here as the
//! test clock moves).

use super::receiver::Receiver;
use super::*;
use djcalls_app::jobs::KEEP_WEBHOOK_DELIVERIES;
use jiff::SignedDuration;

djcalls_testkit::on_both_backends! { TestApp:
    a_delivered_event_leaves_the_log_30_days_after_it_was_delivered => pruned_after_30_days;
}

async fn pruned_after_30_days(t: TestApp) {
    assert_eq!(KEEP_WEBHOOK_DELIVERIES, SignedDuration::from_hours(30 * 24));
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let (id, _) = endpoint(&t, &served, &receiver.url, &["call.completed"]).await;
    dj_and_call(&t, &served, "dj-hooks-kept", CallOutcome::Answered).await;
    served.app.run_due_jobs().await;
    receiver.wait_for(1).await;
    let delivered_at = t.app.now().0;
    assert_eq!(deliveries(&t, &t.base_url, &id).await.len(), 1);

    let day = SignedDuration::from_hours(24);
    t.clock.set(delivered_at.checked_add(day * 29).unwrap());
    served.app.prune_housekeeping().await;
    assert_eq!(
        deliveries(&t, &t.base_url, &id).await.len(),
        1,
        "kept for 30 days"
    );
    t.clock.set(
        delivered_at
            .checked_add(day * 30 + SignedDuration::from_secs(1))
            .unwrap(),
    );
    served.app.prune_housekeeping().await;
    assert!(
        deliveries(&t, &t.base_url, &id).await.is_empty(),
        "then deleted"
    );
}
