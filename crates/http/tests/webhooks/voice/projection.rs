//! `incoming` answers once its delivery is durable. On PostgreSQL the call row follows it,
//! written and announced by the process's projection with nothing else arriving; on SQLite it
//! comes with the answer. Either way a dashboard hears of the ringing call and lists it.

use super::support::*;
use djcalls_app::live::LiveEvent;
use djcalls_telephony::CallOutcome;
use djcalls_testkit::TestApp;
use std::time::Duration;

djcalls_testkit::on_both_backends! { TestApp:
    a_ringing_call_is_listed_and_announced_after_its_answer => ringing_call_after_answer;
}

async fn ringing_call_after_answer(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-projected", "DJ Projected", "America/Chicago")
        .await;
    let mut live = t.app.subscribe_live();
    let calls = scenario(CallOutcome::Answered, &number);
    let incoming = &calls.deliveries()[0];
    let (status, twiml) = post_signed(&t, incoming.path, &incoming.params).await;
    assert_eq!(status, 200);
    assert!(twiml.contains("<Dial"), "{twiml}");

    // Only `incoming` was sent: the announcement comes from the projection (PostgreSQL) or the
    // delivery itself (SQLite).
    let change = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match live.recv().await {
                Ok(LiveEvent::Call(change)) if change.dj_profile_id == dj => return change,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("live events ended: {e}"),
            }
        }
    })
    .await
    .expect("the ringing call was announced");
    let listed = t.calls_of(dj).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], change.call_id.to_string());
    assert_eq!(listed[0]["call_status"], "ringing");
    assert_eq!(listed[0]["caller_number"], CALLER);
    // Nothing is left waiting, and a second drain finds nothing to do.
    assert_eq!(t.app.project_pending().await.unwrap(), 0);
}
