//! Shared by the voice stories: the caller, call scenarios and signed webhook posts.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::PhoneNumber;
use djcalls_telephony::{CallOutcome, CallScenario, compute_signature};
use djcalls_testkit::TestApp;

pub const CALLER: &str = "+14155550123";

pub fn scenario(outcome: CallOutcome, to: &PhoneNumber) -> CallScenario {
    let mut s = CallScenario::new(outcome, PhoneNumber::parse(CALLER).unwrap(), to.clone());
    s.ring_secs = 7;
    s.talk_secs = 95;
    s.voicemail_secs = 31;
    s
}

pub async fn post_signed(app: &TestApp, path: &str, params: &[(String, String)]) -> (u16, String) {
    let url = format!("{}{path}", app.base_url);
    let response = app
        .client
        .post(&url)
        .header(
            "X-Twilio-Signature",
            compute_signature(SIMULATOR_AUTH_TOKEN, &url, params),
        )
        .form(params)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
