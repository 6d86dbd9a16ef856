//! Sending one request and sorting the outcome.

/// Why a send did not go through, without the request's URL (it carries secrets).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// Worth another try later: no answer, a timeout, 429 or a 5xx.
    #[error("{platform} is unavailable: {reason}")]
    Transient {
        platform: &'static str,
        reason: String,
    },
    /// The platform refused the request (a 4xx other than 429): the same request would be
    /// refused again.
    #[error("{platform} refused the event with status {status}")]
    Refused { platform: &'static str, status: u16 },
}

impl SendError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient { .. })
    }
}

/// Sends `request`; `Ok` for any 2xx answer.
pub(crate) async fn send(
    platform: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<(), SendError> {
    let response = request.send().await.map_err(|e| SendError::Transient {
        platform,
        // reqwest names the URL in its errors; ours carries the secret.
        reason: e.without_url().to_string(),
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(SendError::Transient {
            platform,
            reason: format!("status {}", status.as_u16()),
        });
    }
    Err(SendError::Refused {
        platform,
        status: status.as_u16(),
    })
}
