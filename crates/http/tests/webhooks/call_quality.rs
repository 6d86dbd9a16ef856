//! Call quality (SPEC §12) read from the fake Voice Insights of `testkit::voice_insights` over
//! HTTP, on both backends: an answered call's webhooks to an app configured with Voice
//! Insights, then the job runner with the test clock moved on.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::Actor;
use djcalls_domain::PhoneNumber;
use djcalls_store::jobs::JobState;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::voice_insights::{
    FakeVoiceInsights, INSIGHTS_ACCOUNT_SID, INSIGHTS_AUTH_TOKEN,
};
use djcalls_testkit::{ServedApp, TestApp};
use jiff::SignedDuration;
use serde_json::{Value, json};
use uuid::Uuid;

djcalls_testkit::on_both_backends! { TestApp:
    quality_is_read_once_the_summary_is_ready => read_after_not_ready;
    server_errors_are_retried_and_a_summary_that_never_comes_is_given_up => given_up_after_half_an_hour;
}

struct World {
    t: TestApp,
    fake: FakeVoiceInsights,
    served: ServedApp,
    call_id: String,
}

/// A DJ with a number and an app beside the test's own that reads Voice Insights from the
/// fake; an answered call to it, its webhooks delivered twice.
async fn answered_call(t: TestApp) -> World {
    let fake = FakeVoiceInsights::start().await;
    let config = fake.config();
    let served = TestApp::builder()
        .settings(move |s| s.call_quality = Some(config))
        .serve_beside(&t)
        .await;
    let slug = format!("quality-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let (dj, number) = t.dj_with_number(&slug, "Quality DJ", "UTC").await;
    let scenario = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse("+14155550123").unwrap(),
        number,
    );
    for _ in 0..2 {
        deliver(
            &served.base_url,
            SIMULATOR_AUTH_TOKEN,
            &scenario.deliveries(),
        )
        .await
        .unwrap();
    }
    let calls = t.calls_of(dj).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["quality"], Value::Null, "not read yet");
    let call_id = calls[0]["id"].as_str().unwrap().to_string();
    World {
        t,
        fake,
        served,
        call_id,
    }
}

impl World {
    fn advance(&self, by: SignedDuration) {
        self.t.clock.set(self.t.app.now().0 + by);
    }

    async fn call(&self) -> Value {
        self.t
            .service_json(&format!("/api/djdash/calls/{}", self.call_id))
            .await["call"]
            .clone()
    }

    async fn job_state(&self) -> JobState {
        let key = format!("call_quality:{}", self.call_id);
        let job = self
            .t
            .db
            .store
            .job_by_dedupe_key(&Actor::System, &key)
            .await;
        job.unwrap().expect("one quality job for the call").state
    }
}

async fn read_after_not_ready(t: TestApp) {
    let w = answered_call(t).await;
    w.fake.answer_next(&[404]);
    w.served.app.run_due_jobs().await;
    assert!(
        w.fake.received().is_empty(),
        "no read in the first two minutes"
    );

    w.advance(SignedDuration::from_mins(2));
    w.served.app.run_due_jobs().await;
    assert_eq!(w.fake.received().len(), 1);
    assert_eq!(w.call().await["quality"], Value::Null, "404: not ready yet");
    assert_eq!(w.job_state().await, JobState::Queued, "to be retried");

    w.advance(SignedDuration::from_mins(1));
    w.served.app.run_due_jobs().await;
    let received = w.fake.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].status, 200);
    assert!(received[1].call_sid.starts_with("CA"), "{:?}", received[1]);
    let basic = format!("{INSIGHTS_ACCOUNT_SID}:{INSIGHTS_AUTH_TOKEN}");
    assert_eq!(
        received[1].authorization.as_deref(),
        Some(format!("Basic {}", STANDARD.encode(basic)).as_str())
    );
    let quality = &w.call().await["quality"];
    assert_eq!(
        quality,
        &json!({"disconnected_by": "dj", "post_dial_delay_ms": 121, "mos": 4.2,
                "jitter_ms": 0.483035, "packet_loss_percent": 0.5})
    );
    assert_eq!(w.job_state().await, JobState::Done);

    w.advance(SignedDuration::from_hours(2));
    w.served.app.run_due_jobs().await;
    assert_eq!(
        w.fake.received().len(),
        2,
        "read once, however often the webhooks came"
    );
}

async fn given_up_after_half_an_hour(t: TestApp) {
    let w = answered_call(t).await;
    w.fake
        .answer_next(&[500, 503, 404, 404, 404, 404, 404, 404]);
    let started = w.t.app.now().0;
    for _ in 0..12 {
        w.advance(SignedDuration::from_mins(20));
        w.served.app.run_due_jobs().await;
    }
    assert_eq!(w.fake.received().len(), 7, "seven reads, then it gives up");
    assert_eq!(w.job_state().await, JobState::Dead);
    assert_eq!(w.call().await["quality"], Value::Null);
    assert!(w.t.app.now().0 - started >= SignedDuration::from_mins(30));
}
