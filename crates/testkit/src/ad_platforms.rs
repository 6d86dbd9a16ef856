//! A fake GA4 Measurement Protocol and Meta Conversions API on port 0, reached through
//! `GA4_API_BASE_URL` / `META_API_BASE_URL` ([`FakeAdPlatforms::platforms`]). It records every
//! request (query, JSON body, the status it answered) and answers 2xx, or the statuses a test
//! queued with [`FakeAdPlatforms::answer_next`] first.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use djcalls_conversions::{AdPlatforms, Ga4Config, MetaConfig, secret};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

pub const GA4_MEASUREMENT_ID: &str = "G-TEST12345";
pub const GA4_API_SECRET: &str = "ga4-api-secret-do-not-log";
pub const META_PIXEL_ID: &str = "1234567890";
pub const META_ACCESS_TOKEN: &str = "meta-access-token-do-not-log";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdPlatform {
    Ga4,
    Meta,
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Received {
    /// The request path (`/mp/collect`, `/v26.0/<pixel>/events`).
    pub path: String,
    pub query: HashMap<String, String>,
    pub body: Value,
    /// What the fake answered.
    pub status: u16,
}

#[derive(Default)]
struct Inbox {
    received: HashMap<AdPlatform, Vec<Received>>,
    answers: HashMap<AdPlatform, VecDeque<u16>>,
}

type Shared = Arc<Mutex<Inbox>>;

/// The fake servers; stop serving when dropped.
pub struct FakeAdPlatforms {
    pub base_url: String,
    inbox: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl FakeAdPlatforms {
    pub async fn start() -> FakeAdPlatforms {
        let inbox = Shared::default();
        let router = Router::new()
            .route("/mp/collect", post(ga4))
            .route("/{version}/{pixel}/events", post(meta))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeAdPlatforms {
            base_url,
            inbox,
            server,
        }
    }

    /// Both platforms configured against this fake.
    pub fn platforms(&self) -> AdPlatforms {
        AdPlatforms {
            ga4: Some(self.ga4_config()),
            meta: Some(self.meta_config()),
        }
    }

    pub fn ga4_config(&self) -> Ga4Config {
        Ga4Config::new(
            GA4_MEASUREMENT_ID,
            secret(GA4_API_SECRET),
            Some(&self.base_url),
        )
    }

    pub fn meta_config(&self) -> MetaConfig {
        MetaConfig::new(
            META_PIXEL_ID,
            secret(META_ACCESS_TOKEN),
            Some(&self.base_url),
        )
    }

    /// The next requests to `platform` are answered with `statuses`, in order; then 2xx.
    pub fn answer_next(&self, platform: AdPlatform, statuses: &[u16]) {
        let mut inbox = self.inbox.lock().expect("inbox");
        inbox
            .answers
            .entry(platform)
            .or_default()
            .extend(statuses.iter().copied());
    }

    /// Every request `platform` received, oldest first.
    pub fn received(&self, platform: AdPlatform) -> Vec<Received> {
        let inbox = self.inbox.lock().expect("inbox");
        inbox.received.get(&platform).cloned().unwrap_or_default()
    }

    /// The requests `platform` accepted (answered 2xx), oldest first.
    pub fn accepted(&self, platform: AdPlatform) -> Vec<Received> {
        self.received(platform)
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }
}

impl Drop for FakeAdPlatforms {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn record(
    inbox: &Shared,
    platform: AdPlatform,
    path: String,
    query: HashMap<String, String>,
    body: &str,
    ok: u16,
) -> StatusCode {
    let mut inbox = inbox.lock().expect("inbox");
    let status = inbox
        .answers
        .get_mut(&platform)
        .and_then(VecDeque::pop_front)
        .unwrap_or(ok);
    inbox.received.entry(platform).or_default().push(Received {
        path,
        query,
        body: serde_json::from_str(body).unwrap_or(Value::Null),
        status,
    });
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// GA4 answers 204 with no body to every well-formed request.
async fn ga4(
    State(inbox): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> StatusCode {
    record(
        &inbox,
        AdPlatform::Ga4,
        "/mp/collect".into(),
        query,
        &body,
        204,
    )
}

async fn meta(
    State(inbox): State<Shared>,
    Path((version, pixel)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> (StatusCode, &'static str) {
    let path = format!("/{version}/{pixel}/events");
    let status = record(&inbox, AdPlatform::Meta, path, query, &body, 200);
    (status, "{\"events_received\":1}")
}
