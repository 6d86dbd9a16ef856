//! A second app beside a running [`TestApp`]: the same database, clock and simulators, with
//! other settings, another telephony or another payment provider, on its own port — or the
//! same app as a restarted process sees it (a fresh connection pool).

use crate::app::{TestApp, serve};
use djcalls_app::{App, Settings};
use djcalls_payments::PaymentLinks;
use djcalls_telephony::Telephony;
use std::sync::Arc;

type SettingsEdit = Box<dyn FnOnce(&mut Settings) + Send>;

/// Overrides for a second app; start with [`TestApp::builder`].
#[derive(Default)]
#[must_use = "a builder does nothing until `serve_beside` or `restart_of`"]
pub struct TestAppBuilder {
    settings: Vec<SettingsEdit>,
    telephony: Option<Arc<dyn Telephony>>,
    payments: Option<Arc<dyn PaymentLinks>>,
    limits: Option<djcalls_http::ConnectionLimits>,
}

impl TestApp {
    /// Overrides for a second app beside this one (see [`TestAppBuilder`]).
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }
}

impl TestAppBuilder {
    /// Edits the first app's settings (applied in order, after `public_base_url` is set to the
    /// second app's own address).
    pub fn settings(mut self, edit: impl FnOnce(&mut Settings) + Send + 'static) -> Self {
        self.settings.push(Box::new(edit));
        self
    }

    /// Another telephony (e.g. the real Twilio client against a fake server).
    pub fn telephony(mut self, telephony: Arc<dyn Telephony>) -> Self {
        self.telephony = Some(telephony);
        self
    }

    /// Another payment provider (e.g. Stripe against a fake server).
    pub fn payments(mut self, payments: Arc<dyn PaymentLinks>) -> Self {
        self.payments = Some(payments);
        self
    }

    /// Other connection limits for the served app (short timeouts, a small cap).
    pub fn connection_limits(mut self, limits: djcalls_http::ConnectionLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The second app, served on its own port over `first`'s database pool and clock.
    pub async fn serve_beside(self, first: &TestApp) -> ServedApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let limits = self
            .limits
            .unwrap_or(djcalls_http::ConnectionLimits::DEFAULT);
        let app = self.build(first, first.db.store.clone(), Some(&base_url));
        let server = serve(listener, app.clone(), limits);
        ServedApp {
            app,
            base_url,
            server,
        }
    }

    /// The app a restarted process would be: a fresh connection pool to `first`'s database,
    /// not served (it runs jobs). Close it with `App::close` when done.
    pub async fn restart_of(self, first: &TestApp) -> App {
        let store = djcalls_store::Store::connect_with(&first.db.url, &first.db.options)
            .await
            .expect("reconnect");
        self.build(first, store, None)
    }

    fn build(self, first: &TestApp, store: djcalls_store::Store, base_url: Option<&str>) -> App {
        let mut settings = first.settings.clone();
        if let Some(base_url) = base_url {
            settings.public_base_url = base_url.to_string();
        }
        for edit in self.settings {
            edit(&mut settings);
        }
        let telephony = self
            .telephony
            .unwrap_or_else(|| first.telephony.clone() as Arc<dyn Telephony>);
        let payments = self
            .payments
            .unwrap_or_else(|| first.payments.clone() as Arc<dyn PaymentLinks>);
        App::new(store, settings, first.clock.clone(), telephony, payments)
    }
}

/// A second app on its own port; stops serving when dropped.
pub struct ServedApp {
    pub app: App,
    pub base_url: String,
    server: tokio::task::JoinHandle<()>,
}

impl ServedApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for ServedApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
