//! A DJ, a click (or none), a call from the caller, its payment link, and an app beside the
//! test's own configured with the fake ad platforms.

use crate::payments::support::TipJarEvent;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_domain::{CallId, PhoneNumber};
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use djcalls_testkit::ad_platforms::FakeAdPlatforms;
use djcalls_testkit::{ServedApp, TestApp};
use serde_json::json;
use uuid::Uuid;

pub const CALLER: &str = "+14155550123";
/// SHA-256 of `14155550123` (`printf 14155550123 | sha256sum`).
pub const CALLER_HASH: &str = "413ba75461ab5f99d36820e561ea97e2bd80f9cb586f7ecea6cf4c496518950a";
pub const VISITOR: &str = "3f1c2b9e-7d4a-4c1e-9b7a-2d5e8f0a1b2c";

/// The test's world: the fake platforms and an app beside the test's own that reports to them.
pub struct World {
    pub t: TestApp,
    pub fake: FakeAdPlatforms,
    pub reporting: ServedApp,
    pub call: CallId,
    pub reference: String,
}

impl World {
    /// A DJ with a number; a widget click by [`VISITOR`] first when `clicked`; then an
    /// answered call from [`CALLER`] and its payment link.
    pub async fn on(t: TestApp, clicked: bool) -> World {
        let fake = FakeAdPlatforms::start().await;
        let platforms = fake.platforms();
        let reporting = TestApp::builder()
            .settings(move |s| s.ad_conversions = platforms)
            .serve_beside(&t)
            .await;
        let slug = format!("conv-{}", &Uuid::new_v4().simple().to_string()[..8]);
        let (dj, number) = t.dj_with_number(&slug, "Conversions DJ", "UTC").await;
        if clicked {
            let click = json!({"dj_profile_id": dj, "click_token": t.app.click_token(dj),
                               "page_url": "https://djdash.example/dj?utm_source=google",
                               "visitor_id": VISITOR});
            let response = t
                .client
                .post(t.url("/api/djdash/clicks"))
                .header("content-type", "application/json")
                .body(click.to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202);
        }
        let scenario = CallScenario::new(
            CallOutcome::Answered,
            PhoneNumber::parse(CALLER).unwrap(),
            number,
        );
        deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &scenario.deliveries())
            .await
            .unwrap();
        let calls = t.calls_of(dj).await;
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0]["attribution"].is_object(), clicked, "{}", calls[0]);
        let call = CallId(calls[0]["id"].as_str().unwrap().parse().unwrap());
        // The follow-up text (and its payment link) goes first, so only conversions remain.
        t.app.run_due_jobs().await;
        let token = format!("t{}", Uuid::new_v4().simple());
        let proposed = format!("ref_{}", Uuid::new_v4().simple());
        let link =
            t.db.store
                .ensure_payment_link(call, dj, &token, &proposed, t.app.now())
                .await
                .unwrap();
        let reference = link.reference;
        World {
            t,
            fake,
            reporting,
            call,
            reference,
        }
    }

    /// A TipJar event about payment `payment_id` posted to the reporting app (200 expected).
    pub async fn tipjar(&self, id: &str, kind: &str, payment_id: &str, cents: i64) {
        let event = TipJarEvent {
            id,
            kind,
            payment_id,
            cents,
            currency: "usd",
            reference: &self.reference,
        };
        let status = event.post_to(&self.t, &self.reporting.base_url).await;
        assert_eq!(status, 200, "{kind} {id}");
    }

    /// Runs every job due now in the reporting app.
    pub async fn run_jobs(&self) -> usize {
        self.reporting.app.run_due_jobs().await
    }

    /// Moves the shared clock on by `hours`.
    pub fn advance_hours(&self, hours: i64) {
        let now = self.t.app.now().0;
        self.t
            .clock
            .set(now + jiff::SignedDuration::from_hours(hours));
    }
}
