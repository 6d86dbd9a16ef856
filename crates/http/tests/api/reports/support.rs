//! A DJ with a number, clicks with chosen UTM fields, attributed calls, and the clock.

use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{DjProfileId, PhoneNumber, Role};
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::TestApp;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

pub const CALLER: &str = "+14155550123";

/// Noon in New York on 2026-06-15, a Monday: no quiet hours.
pub const START: &str = "2026-06-15T16:00:00Z";

pub struct ReportWorld {
    pub dj: DjProfileId,
    pub number: PhoneNumber,
    pub dj_token: String,
    pub other: DjProfileId,
    pub admin: String,
}

pub async fn report_world(t: &TestApp) -> ReportWorld {
    t.clock.set(START.parse::<Timestamp>().unwrap());
    let (dj, number) = t
        .dj_with_number("report-dj", "Report DJ", "America/New_York")
        .await;
    let (other, _) = t
        .dj_with_number("other-dj", "Other DJ", "America/New_York")
        .await;
    ReportWorld {
        dj,
        number,
        dj_token: t.user_token("report@example.com", Role::Dj, &[dj]).await,
        other,
        admin: t.user_token("admin@example.com", Role::Admin, &[]).await,
    }
}

/// A widget click on `dj`'s number with these fields (UTM, gclid) beside the usual ones.
pub async fn click(t: &TestApp, dj: DjProfileId, fields: Value) {
    let mut body = json!({
        "dj_profile_id": dj,
        "click_token": t.app.click_token(dj),
        "page_url": "https://www.thebash.com/dj/report-dj",
        "visitor_id": format!("visitor-{}", t.app.now().0.as_second()),
    });
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = t
        .client
        .post(t.url("/api/djdash/clicks"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

/// An answered call (95 s of talk) to `to`, through the signed Twilio webhooks.
pub async fn call(t: &TestApp, to: &PhoneNumber) {
    let s = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse(CALLER).unwrap(),
        to.clone(),
    );
    let answers = deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    assert!(
        answers.iter().all(|(_, s)| (200..300).contains(s)),
        "{answers:?}"
    );
}

pub fn advance(t: &TestApp, by: SignedDuration) {
    let now: Timestamp = t.app.now().0;
    t.clock.set(now.checked_add(by).unwrap());
}

/// A click, a call a minute later, then past the attribution window.
pub async fn clicked_call(t: &TestApp, w: &ReportWorld, fields: Value) {
    click(t, w.dj, fields).await;
    advance(t, SignedDuration::from_mins(1));
    call(t, &w.number).await;
    advance(t, SignedDuration::from_mins(31));
}
