//! A fake Twilio Voice Insights on port 0 (`GET /v1/Voice/{CallSid}/Summary`, reached through
//! `TWILIO_INSIGHTS_BASE_URL`: [`FakeVoiceInsights::config`]). It answers the statuses a test
//! queued with [`FakeVoiceInsights::answer_next`] first (404 while "not ready", 5xx), then 200
//! with a complete summary shaped as Twilio documents it, and records every request.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use djcalls_telephony::VoiceInsightsConfig;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

pub const INSIGHTS_ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const INSIGHTS_AUTH_TOKEN: &str = "insights-auth-token-do-not-log";

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct SummaryRequest {
    pub call_sid: String,
    /// The `Authorization` header as sent.
    pub authorization: Option<String>,
    pub status: u16,
}

struct Inbox {
    received: Vec<SummaryRequest>,
    answers: VecDeque<u16>,
    /// What a 200 carries besides `call_sid`.
    summary: Value,
}

type Shared = Arc<Mutex<Inbox>>;

/// The fake server; stops serving when dropped.
pub struct FakeVoiceInsights {
    pub base_url: String,
    inbox: Shared,
    server: tokio::task::JoinHandle<()>,
}

/// A complete summary of a PSTN call in Twilio's documented shape: the DJ (Twilio's
/// `callee`) hung up, 121 ms post-dial delay, jitter 0.48/0.36 ms, packet loss 0/0.5 %, and a
/// MOS of 4.2 on an edge that reports one.
pub fn documented_summary() -> Value {
    json!({
        "account_sid": INSIGHTS_ACCOUNT_SID,
        "call_type": "carrier", "call_state": "completed", "processing_state": "complete",
        "carrier_edge": {"metrics": {
            "inbound": {"codec": 0, "codec_name": "pcmu", "packets_received": 202, "packets_lost": 0,
                        "packets_loss_percentage": 0, "jitter": {"max": 1.48209, "avg": 0.483035},
                        "mos": {"min": 3.9, "max": 4.4, "avg": 4.2}},
            "outbound": {"codec": 0, "codec_name": "pcmu", "packets_sent": 218, "packets_lost": 1,
                         "packets_loss_percentage": 0.5, "jitter": {"max": 0.51868, "avg": 0.364434}}
        }},
        "properties": {"last_sip_response_num": 200, "pdd_ms": 121, "disconnected_by": "callee", "direction": "inbound"},
        "tags": [], "url": "https://insights.twilio.com/v1/Voice/Summary"
    })
}

impl FakeVoiceInsights {
    pub async fn start() -> FakeVoiceInsights {
        let inbox = Arc::new(Mutex::new(Inbox {
            received: Vec::new(),
            answers: VecDeque::new(),
            summary: documented_summary(),
        }));
        let router = Router::new()
            .route("/v1/Voice/{call_sid}/Summary", get(summary))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeVoiceInsights {
            base_url,
            inbox,
            server,
        }
    }

    /// Voice Insights configured against this fake.
    pub fn config(&self) -> VoiceInsightsConfig {
        VoiceInsightsConfig::new(
            Some(&self.base_url),
            INSIGHTS_ACCOUNT_SID,
            SecretString::from(INSIGHTS_AUTH_TOKEN.to_string()),
        )
    }

    /// The next requests are answered with `statuses`, in order; then 200.
    pub fn answer_next(&self, statuses: &[u16]) {
        self.inbox
            .lock()
            .expect("inbox")
            .answers
            .extend(statuses.iter().copied());
    }

    /// What a 200 carries from now on (its `call_sid` is the one asked for).
    pub fn set_summary(&self, summary: Value) {
        self.inbox.lock().expect("inbox").summary = summary;
    }

    /// Every request, oldest first.
    pub fn received(&self) -> Vec<SummaryRequest> {
        self.inbox.lock().expect("inbox").received.clone()
    }
}

impl Drop for FakeVoiceInsights {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn summary(
    State(inbox): State<Shared>,
    Path(call_sid): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    let mut inbox = inbox.lock().expect("inbox");
    let status = inbox.answers.pop_front().unwrap_or(200);
    inbox.received.push(SummaryRequest {
        call_sid: call_sid.clone(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        status,
    });
    let body = match status {
        200 => {
            let mut body = inbox.summary.clone();
            body["call_sid"] = json!(call_sid);
            body.to_string()
        }
        404 => {
            json!({"code": 20404, "message": "The requested resource was not found", "status": 404})
                .to_string()
        }
        _ => {
            json!({"code": 20500, "message": "Internal Server Error", "status": status}).to_string()
        }
    };
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
}
