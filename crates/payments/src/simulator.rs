//! Payments without a provider, for the demo and tests: sessions live in memory, the "payment
//! page" is one of ours, and completing it yields the signed TipJar webhook a real TipJar would
//! send, so simulated payments go through the production verification path.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use djcalls_domain::money::Cents;
use secrecy::SecretString;
use uuid::Uuid;

use crate::provider::{PaymentError, PaymentLinks, SessionRequest};
use crate::tipjar::{
    PAYMENT_REFUNDED, PAYMENT_SUCCEEDED, TIPJAR_SIGNATURE_HEADER, sign_tipjar_payload,
};

/// Where the demo's "complete payment" page POSTs the webhook: the real TipJar endpoint.
pub const SIMULATED_WEBHOOK_PATH: &str = "/api/tipjar/webhook";

/// Sessions kept before the oldest are forgotten; the demo never comes close.
const MAX_SESSIONS: usize = 10_000;

const PROVIDER: &str = "simulator";
const SESSION_PREFIX: &str = "sim_";

/// The simulated provider. `webhook_secret` must be the `TIPJAR_WEBHOOK_SECRET` the webhook
/// endpoint verifies with (in the demo, one random secret given to both).
#[derive(Debug)]
pub struct SimulatedPayments {
    public_base_url: String,
    webhook_secret: SecretString,
    sessions: Mutex<Sessions>,
}

#[derive(Debug, Default)]
struct Sessions {
    by_id: HashMap<String, SessionRequest>,
    by_idempotency_key: HashMap<String, String>,
    /// Insertion order, for forgetting the oldest.
    order: VecDeque<String>,
}

/// A webhook ready to POST: `header_name: header_value` and `body`, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedWebhook {
    pub path: &'static str,
    pub header_name: &'static str,
    pub header_value: String,
    pub body: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimulatorError {
    #[error("no simulated payment session has that id")]
    UnknownSession,
    #[error("the amount must be a positive number of cents")]
    InvalidAmount,
}

impl SimulatedPayments {
    pub fn new(public_base_url: impl Into<String>, webhook_secret: SecretString) -> Self {
        let public_base_url = public_base_url.into().trim_end_matches('/').to_owned();
        SimulatedPayments {
            public_base_url,
            webhook_secret,
            sessions: Mutex::new(Sessions::default()),
        }
    }

    /// `{public_base_url}/pay/simulated/{session_id}`: the page that plays the provider.
    pub fn session_url(&self, session_id: &str) -> String {
        format!("{}/pay/simulated/{session_id}", self.public_base_url)
    }

    /// The request a session was made for, if this process made it.
    pub fn lookup(&self, session_id: &str) -> Option<SessionRequest> {
        self.sessions().by_id.get(session_id).cloned()
    }

    /// The TipJar `payment.succeeded` webhook for paying `amount_cents` on this session. The
    /// event and payment ids derive from the session, so completing a session twice sends the
    /// same payment again and the ledger records it once.
    pub fn payment_succeeded_webhook(
        &self,
        session_id: &str,
        amount_cents: Cents,
        now_unix: i64,
    ) -> Result<SignedWebhook, SimulatorError> {
        let event_id = format!("evt_{session_id}_paid");
        self.webhook(
            session_id,
            PAYMENT_SUCCEEDED,
            event_id,
            amount_cents,
            now_unix,
        )
    }

    /// A TipJar `payment.refunded` webhook for refunding `amount_cents` of this session's
    /// payment; each call is a new refund with its own event id.
    pub fn payment_refunded_webhook(
        &self,
        session_id: &str,
        amount_cents: Cents,
        now_unix: i64,
    ) -> Result<SignedWebhook, SimulatorError> {
        let event_id = format!("evt_{session_id}_refund_{}", Uuid::new_v4().simple());
        self.webhook(
            session_id,
            PAYMENT_REFUNDED,
            event_id,
            amount_cents,
            now_unix,
        )
    }

    /// The payment id a simulated session's payment is recorded under.
    pub fn payment_id(session_id: &str) -> String {
        let suffix = session_id
            .strip_prefix(SESSION_PREFIX)
            .unwrap_or(session_id);
        format!("simpay_{suffix}")
    }

    fn webhook(
        &self,
        session_id: &str,
        event_type: &str,
        event_id: String,
        amount_cents: Cents,
        now_unix: i64,
    ) -> Result<SignedWebhook, SimulatorError> {
        if amount_cents.0 <= 0 {
            return Err(SimulatorError::InvalidAmount);
        }
        let session = self
            .lookup(session_id)
            .ok_or(SimulatorError::UnknownSession)?;
        let body = serde_json::json!({
            "id": event_id,
            "type": event_type,
            "data": {
                "payment_id": Self::payment_id(session_id),
                "amount_cents": amount_cents.0,
                "currency": "usd",
                "reference": session.reference,
            }
        })
        .to_string();
        Ok(SignedWebhook {
            path: SIMULATED_WEBHOOK_PATH,
            header_name: TIPJAR_SIGNATURE_HEADER,
            header_value: sign_tipjar_payload(&self.webhook_secret, now_unix, body.as_bytes()),
            body,
        })
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        // Nothing can be left half-written under this lock, so a poisoned one is still usable.
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl PaymentLinks for SimulatedPayments {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// Remembers the request under a new opaque session id (or returns the session already made
    /// for the same idempotency key) and points at our own payment page.
    async fn create_session(&self, req: &SessionRequest) -> Result<String, PaymentError> {
        req.validate()?;
        let session_id = {
            let mut sessions = self.sessions();
            if let Some(existing) = sessions.by_idempotency_key.get(&req.idempotency_key) {
                existing.clone()
            } else {
                let id = format!("{SESSION_PREFIX}{}", Uuid::new_v4().simple());
                sessions.by_id.insert(id.clone(), req.clone());
                sessions
                    .by_idempotency_key
                    .insert(req.idempotency_key.clone(), id.clone());
                sessions.order.push_back(id.clone());
                while sessions.order.len() > MAX_SESSIONS {
                    if let Some(oldest) = sessions.order.pop_front()
                        && let Some(old) = sessions.by_id.remove(&oldest)
                    {
                        sessions.by_idempotency_key.remove(&old.idempotency_key);
                    }
                }
                id
            }
        };
        Ok(self.session_url(&session_id))
    }
}
