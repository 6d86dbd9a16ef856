//! `TwilioForm<W>`: a Twilio webhook, verified and parsed by `djcalls_telephony::verify_and_parse`
//! against `PUBLIC_BASE_URL` + path + query. A missing or wrong `X-Twilio-Signature` is a bare
//! 403 and a signed but unusable payload a bare 400, both before a handler runs, so nothing is
//! written.

use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use djcalls_telephony::{SIGNATURE_HEADER, Webhook, WebhookRejection, verify_and_parse};
use secrecy::ExposeSecret;

pub struct TwilioForm<W> {
    pub webhook: W,
    /// Identifies this delivery: the same webhook delivered twice has the same key.
    pub delivery_key: String,
}

impl<W: Webhook + Send> FromRequest<HttpState> for TwilioForm<W> {
    type Rejection = StatusCode;

    async fn from_request(req: Request, state: &HttpState) -> Result<Self, StatusCode> {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| req.uri().path().to_string());
        let signature = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| rejection.status())?;
        let verified = verify_and_parse::<W>(
            state.app.twilio_auth_token().expose_secret(),
            state.app.public_base_url(),
            &path_and_query,
            &signature,
            &body,
        );
        match verified {
            Ok(verified) => Ok(TwilioForm {
                webhook: verified.webhook,
                delivery_key: verified.delivery_key,
            }),
            Err(WebhookRejection::BadSignature) => {
                tracing::warn!(path = %path_and_query.split('?').next().unwrap_or(""), "Twilio webhook with a missing or wrong signature refused");
                Err(StatusCode::FORBIDDEN)
            }
            Err(WebhookRejection::Unusable(e)) => {
                tracing::warn!(error = %e, "unusable Twilio webhook");
                Err(StatusCode::BAD_REQUEST)
            }
        }
    }
}
