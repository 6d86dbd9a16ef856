//! `TwilioForm`: a Twilio webhook whose `X-Twilio-Signature` verified against
//! `PUBLIC_BASE_URL` + path + query and every posted parameter. Anything else is refused with a
//! bare 403 before a handler runs, so nothing is written.

use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use djcalls_telephony::{SIGNATURE_HEADER, Webhook, verify_signature};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

pub struct TwilioForm {
    pub params: Vec<(String, String)>,
    /// Identifies this delivery: the same webhook delivered twice has the same key.
    pub delivery_key: String,
}

impl TwilioForm {
    /// The typed webhook, or 400 when a parameter Twilio always sends is missing.
    pub fn parse<W: Webhook>(&self) -> Result<W, StatusCode> {
        W::from_pairs(&self.params).map_err(|e| {
            tracing::warn!(error = %e, "unusable Twilio webhook");
            StatusCode::BAD_REQUEST
        })
    }
}

impl FromRequest<HttpState> for TwilioForm {
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
        let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        let url = format!("{}{path_and_query}", state.app.public_base_url());
        let token = state.app.twilio_auth_token().expose_secret();
        if !verify_signature(token, &url, &params, &signature) {
            tracing::warn!(path = %path_and_query.split('?').next().unwrap_or(""), "Twilio webhook with a missing or wrong signature refused");
            return Err(StatusCode::FORBIDDEN);
        }
        let delivery_key = delivery_key(&path_and_query, &params);
        Ok(TwilioForm {
            params,
            delivery_key,
        })
    }
}

/// `hex(SHA-256(path, then the sorted parameters))`.
fn delivery_key(path_and_query: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher.update(path_and_query.as_bytes());
    for (key, value) in sorted {
        hasher.update(b"\n");
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_key_ignores_parameter_order_but_not_values() {
        let a = vec![
            ("A".to_string(), "1".to_string()),
            ("B".to_string(), "2".to_string()),
        ];
        let b = vec![
            ("B".to_string(), "2".to_string()),
            ("A".to_string(), "1".to_string()),
        ];
        let c = vec![
            ("A".to_string(), "1".to_string()),
            ("B".to_string(), "3".to_string()),
        ];
        assert_eq!(delivery_key("/x", &a), delivery_key("/x", &b));
        assert_ne!(delivery_key("/x", &a), delivery_key("/x", &c));
        assert_ne!(delivery_key("/x", &a), delivery_key("/y", &a));
    }
}
