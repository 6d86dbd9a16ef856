//! Calls connected while the whole service was down, found afterwards in Twilio's call log:
//! `App::reconcile_calls` (`djcalls reconcile`) and the periodic job, with the real Twilio
//! client against a fake Twilio over HTTP (wiremock).

mod periodic;
mod reconcile;

use djcalls_domain::{DjProfileId, PhoneNumber};
use djcalls_telephony::{TwilioClient, TwilioConfig};
use djcalls_testkit::{ServedApp, TestApp};
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::Arc;
use wiremock::MockServer;

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const CALLER: &str = "+13105550123";

pub fn calls_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
}

pub fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A call SID: `CA` and 32 hex digits.
pub fn sid(n: u32) -> String {
    format!("CA{n:032x}")
}

/// One call of Twilio's log, as its Call resource spells it (times in RFC 2822).
pub fn leg(
    sid: &str,
    parent: Option<&str>,
    to: &str,
    status: &str,
    start: &str,
    duration: Option<u32>,
) -> Value {
    let start = at(start)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string();
    json!({
        "sid": sid, "account_sid": ACCOUNT, "parent_call_sid": parent,
        "from": if parent.is_some() { "+14155559999" } else { CALLER }, "to": to,
        "status": status, "direction": if parent.is_some() { "outbound-dial" } else { "inbound" },
        "start_time": start, "end_time": null,
        "duration": duration.map(|d| d.to_string()), "price": null,
    })
}

/// A page of the log; `next` is the following page's URI.
pub fn page(calls: Vec<Value>, next: Option<String>) -> Value {
    json!({"calls": calls, "next_page_uri": next, "page_size": 1000})
}

/// The real Twilio client talking to `twilio`.
pub fn twilio_client(twilio: &MockServer) -> Arc<TwilioClient> {
    Arc::new(
        TwilioClient::new(
            TwilioConfig::new(ACCOUNT, SecretString::from("fake-auth-token".to_string()))
                .with_api_base_url(twilio.uri()),
        )
        .unwrap(),
    )
}

/// The test's app with real Twilio at `twilio` and reconciliation on, on its own port.
pub async fn with_real_twilio(t: &TestApp, twilio: &MockServer) -> ServedApp {
    TestApp::builder()
        .telephony(twilio_client(twilio))
        .settings(|s| s.reconcile_calls = true)
        .serve_beside(t)
        .await
}

/// A DJ who got a number yesterday noon; the clock is then today noon (2026-06-15T12:00Z).
pub async fn dj_since_yesterday(t: &TestApp) -> (DjProfileId, PhoneNumber) {
    t.clock.set(at("2026-06-14T12:00:00Z"));
    let dj = t
        .dj_with_number("dj-fallback", "DJ Sparkle", "America/New_York")
        .await;
    t.clock.set(at("2026-06-15T12:00:00Z"));
    dj
}

/// The DJ's call with this call SID, as the API shows it.
pub async fn call_by_sid(t: &TestApp, dj: DjProfileId, sid: &str) -> Option<Value> {
    t.calls_of(dj)
        .await
        .into_iter()
        .find(|c| c["call_sid"] == sid)
}
