//! A fake webhook receiver over HTTP: a small axum server on 127.0.0.1 that keeps every
//! request (headers and body), answers with the status the test sets, and can hold its
//! answers until the test lets them go (a slow endpoint).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use djcalls_outbound::{WebhookSecret, verify};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// The receiver's check: the signature is valid for this id, timestamp and body.
    pub fn verifies_with(&self, secret: &str) -> bool {
        let secret = WebhookSecret::parse(secret).unwrap();
        verify(
            &secret,
            &self.id,
            self.timestamp,
            self.body.as_bytes(),
            &self.signature,
        )
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    status: AtomicU16,
    arrived: Notify,
    /// `Some`: each answer waits for a permit the test adds.
    gate: Option<Semaphore>,
}

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
    pub url: String,
    server: Arc<tokio::task::JoinHandle<()>>,
}

impl Receiver {
    /// Answers every request at once with `status`.
    pub async fn start(status: u16) -> Receiver {
        Receiver::serve(status, None).await
    }

    /// Answers `status` only as the test calls [`Receiver::release`].
    pub async fn held(status: u16) -> Receiver {
        Receiver::serve(status, Some(Semaphore::new(0))).await
    }

    async fn serve(status: u16, gate: Option<Semaphore>) -> Receiver {
        let inner = Arc::new(Inner {
            status: AtomicU16::new(status),
            gate,
            ..Inner::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://localhost:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let router = Router::new()
            .route("/hook", post(receive))
            .with_state(inner.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Receiver {
            inner,
            url,
            server: Arc::new(server),
        }
    }

    pub fn answer_with(&self, status: u16) {
        self.inner.status.store(status, Ordering::SeqCst);
    }

    pub fn release(&self) {
        if let Some(gate) = &self.inner.gate {
            gate.add_permits(1);
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    /// Waits until `count` requests have arrived (bounded, so a bug fails instead of hanging).
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let arrived = async {
            loop {
                let notified = self.inner.arrived.notified();
                if self.received().len() >= count {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(20), arrived)
            .await
            .unwrap_or_else(|_| panic!("{count} request(s) never arrived"));
        self.received()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if Arc::strong_count(&self.server) == 1 {
            self.server.abort();
        }
    }
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    inner.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp").parse().unwrap_or(0),
        signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    inner.arrived.notify_waiters();
    if let Some(gate) = &inner.gate {
        gate.acquire().await.unwrap().forget();
    }
    StatusCode::from_u16(inner.status.load(Ordering::SeqCst)).unwrap()
}
