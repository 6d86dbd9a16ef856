//! The real HTTP app on an ephemeral port, with a clock the test controls.

use crate::db::TestDb;
use djcalls_app::clock::FixedClock;
use djcalls_app::{App, Settings};
use djcalls_domain::{DjProfileId, PhoneNumber, Role};
use djcalls_payments::SimulatedPayments;
use djcalls_telephony::SimulatedTelephony;
use jiff::Timestamp;
use secrecy::SecretString;
use std::sync::Arc;

pub const SERVICE_KEY: &str = "test-service-key-0123456789";

pub struct TestApp {
    pub base_url: String,
    pub app: App,
    pub clock: Arc<FixedClock>,
    /// The simulated Twilio the app talks to (sent SMS, bought numbers).
    pub telephony: Arc<SimulatedTelephony>,
    /// The simulated payment provider (sessions it created).
    pub payments: Arc<SimulatedPayments>,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// The settings the app was built with: the base of a second app's (`TestApp::builder`).
    pub(crate) settings: Settings,
    /// The app's spool directory (`settings.spool_dir`), removed with the app.
    pub spool_dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// Serves `db` on 127.0.0.1:0. The clock starts at 2026-06-15T12:00:00Z.
    pub async fn spawn(db: TestDb) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let clock = Arc::new(FixedClock::new(
            "2026-06-15T12:00:00Z".parse::<Timestamp>().expect("time"),
        ));
        let mut settings = Settings::for_base_url(&base_url);
        settings.service_key = Some(SecretString::from(SERVICE_KEY.to_string()));
        let spool_dir = tempfile::tempdir().expect("spool dir");
        settings.spool_dir = spool_dir.path().join("spool");
        let telephony = Arc::new(SimulatedTelephony::new());
        let payments = Arc::new(SimulatedPayments::new(
            base_url.clone(),
            SecretString::from(djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET.to_string()),
        ));
        let app = App::new(
            db.store.clone(),
            settings.clone(),
            clock.clone(),
            telephony.clone(),
            payments.clone(),
        );
        let server = serve(
            listener,
            app.clone(),
            djcalls_http::ConnectionLimits::DEFAULT,
        );
        TestApp {
            base_url,
            app,
            clock,
            telephony,
            payments,
            client: reqwest::Client::new(),
            db,
            settings,
            spool_dir,
            server,
        }
    }

    pub async fn sqlite() -> TestApp {
        TestApp::spawn(TestDb::sqlite().await).await
    }

    /// `None` when PostgreSQL is unavailable and not required (see the crate docs).
    pub async fn postgres() -> Option<TestApp> {
        Some(TestApp::spawn(TestDb::postgres().await?).await)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn service_key(&self) -> &'static str {
        SERVICE_KEY
    }

    /// A user with an API token; returns the token.
    pub async fn user_token(&self, email: &str, role: Role, profiles: &[DjProfileId]) -> String {
        self.app
            .add_user(email, "a-long-password", role, profiles)
            .await
            .expect("add user");
        self.app
            .create_api_token(email, "test")
            .await
            .expect("token")
    }

    /// Creates (or updates) a profile through the API as the service.
    pub async fn profile(&self, id: DjProfileId, slug: &str) -> serde_json::Value {
        let response = self
            .client
            .put(self.url(&format!("/api/djdash/profiles/{id}")))
            .bearer_auth(SERVICE_KEY)
            .json(&serde_json::json!({"dj_name": slug, "dj_slug": slug, "is_published": true}))
            .send()
            .await
            .expect("put profile");
        assert!(
            response.status().is_success(),
            "profile: {}",
            response.status()
        );
        response.json().await.expect("json")
    }
}

/// The real number of DJs made by [`TestApp::dj_with_number`].
pub const DJ_REAL_NUMBER: &str = "+12125550142";

impl TestApp {
    /// A published DJ profile (real number [`DJ_REAL_NUMBER`], zone `tz`) with a virtual number
    /// bought into the pool and assigned, all through the API as the service. (Published last,
    /// keeping the number assigned: only published profiles' numbers are shown by the widget.)
    pub async fn dj_with_number(
        &self,
        slug: &str,
        name: &str,
        tz: &str,
    ) -> (DjProfileId, PhoneNumber) {
        let id = DjProfileId(uuid::Uuid::new_v4());
        let profile = self
            .client
            .put(self.url(&format!("/api/djdash/profiles/{id}")))
            .bearer_auth(SERVICE_KEY)
            .json(
                &serde_json::json!({"dj_name": name, "dj_slug": slug, "is_published": false,
                                      "real_phone_number": DJ_REAL_NUMBER, "timezone": tz}),
            )
            .send()
            .await
            .expect("put profile");
        assert!(
            profile.status().is_success(),
            "profile: {}",
            profile.status()
        );
        let bought = self
            .client
            .post(self.url("/api/djdash/virtual-numbers/pool"))
            .bearer_auth(SERVICE_KEY)
            .json(&serde_json::json!({"count": 1, "area_code": "212"}))
            .send()
            .await
            .expect("buy pool number");
        assert!(bought.status().is_success(), "pool: {}", bought.status());
        let assigned: serde_json::Value = self
            .client
            .post(self.url("/api/djdash/virtual-numbers"))
            .bearer_auth(SERVICE_KEY)
            .json(&serde_json::json!({"dj_profile_id": id}))
            .send()
            .await
            .expect("assign number")
            .json()
            .await
            .expect("json");
        let number = assigned["virtualNumber"]["virtual_number"]
            .as_str()
            .expect("a virtual number");
        let published = self
            .client
            .put(self.url(&format!("/api/djdash/profiles/{id}")))
            .bearer_auth(SERVICE_KEY)
            .json(&serde_json::json!({"dj_name": name, "dj_slug": slug, "is_published": true}))
            .send()
            .await
            .expect("publish profile");
        assert!(
            published.status().is_success(),
            "publish: {}",
            published.status()
        );
        (id, PhoneNumber::parse(number).expect("E.164"))
    }
}

impl TestApp {
    /// `GET path` as the service, the answer's JSON (whatever its status).
    pub async fn service_json(&self, path: &str) -> serde_json::Value {
        self.client
            .get(self.url(path))
            .bearer_auth(SERVICE_KEY)
            .send()
            .await
            .expect("GET as the service")
            .json()
            .await
            .expect("json")
    }

    /// The first page (newest first) of a DJ's calls, as the service sees them.
    pub async fn calls_of(&self, dj: DjProfileId) -> Vec<serde_json::Value> {
        let body: serde_json::Value = self
            .client
            .get(self.url(&format!("/api/djdash/calls?dj_profile_id={dj}")))
            .bearer_auth(SERVICE_KEY)
            .send()
            .await
            .expect("list calls")
            .json()
            .await
            .expect("json");
        body["calls"].as_array().cloned().unwrap_or_default()
    }

    /// A job of a kind nobody handles, run once: a permanent failure, so it is dead for the
    /// admin views to show and retry. Returns its id.
    pub async fn dead_job(&self) -> uuid::Uuid {
        let now = self.app.now();
        let key = format!("test:{}", uuid::Uuid::new_v4());
        let job = djcalls_store::jobs::NewJob {
            kind: "no_such_kind".into(),
            payload: "{}".into(),
            dedupe_key: key.clone(),
            dj_profile_id: None,
            run_at: now,
            max_attempts: 3,
        };
        let store = &self.db.store;
        assert!(store.enqueue_job(&job, now).await.expect("enqueue"));
        assert_eq!(self.app.run_due_jobs().await, 1, "the job ran");
        let dead = store
            .job_by_dedupe_key(&djcalls_domain::Actor::System, &key)
            .await
            .expect("job")
            .expect("stored");
        assert_eq!(dead.state, djcalls_store::jobs::JobState::Dead);
        dead.id
    }
}

/// Serves `app` on `listener` as `djcalls serve` does: the same server loop and its
/// connection limits (the peer address reaches the handlers for rate limits).
pub(crate) fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    limits: djcalls_http::ConnectionLimits,
) -> tokio::task::JoinHandle<()> {
    let router = djcalls_http::router(app);
    tokio::spawn(djcalls_http::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ))
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
