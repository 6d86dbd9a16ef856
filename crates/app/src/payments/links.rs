//! Opening a payment link: count the open, create the provider's session, redirect.

use super::*;

impl App {
    /// `GET /pay/{token}`: counts the open of a live link, creates the provider's session and
    /// returns the URL to redirect the payer to (303).
    pub async fn open_pay_link(&self, token: &str) -> Result<String, PayLinkError> {
        if !is_token(token) {
            return Err(PayLinkError::NotFound);
        }
        let now = self.now();
        let link = self
            .store
            .open_payment_link(token, now)
            .await?
            .ok_or(PayLinkError::NotFound)?;
        let profile = self
            .store
            .profile(&Actor::System, link.dj_profile_id)
            .await?;
        // A DJ name that looks like it holds a phone number never goes to a provider.
        let dj_name = profile
            .map(|p| p.dj_name.trim().to_string())
            .filter(|n| !n.is_empty() && !contains_phone_like(n))
            .unwrap_or_else(|| "your DJ".to_string());
        let base = &self.settings.public_base_url;
        let mut request = SessionRequest {
            reference: link.reference.clone(),
            dj_profile_id: link.dj_profile_id,
            description: format!("Booking deposit for {dj_name}"),
            dj_name,
            idempotency_key: String::new(),
            success_url: format!("{base}/pay/{token}/done"),
            cancel_url: format!("{base}/pay/{token}/cancelled"),
        };
        request.idempotency_key = session_idempotency_key(&link.id, now.0.as_second(), &request);
        let provider = self.payments.name();
        match self.payments.create_session(&request).await {
            Ok(url) => {
                tracing::info!(
                    provider,
                    call_id = %link.call_id,
                    opens = link.opens,
                    "payment link opened"
                );
                Ok(if provider == "simulator" {
                    // The simulator's page is ours too and needs to know which link it serves.
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{sep}link={token}")
                } else {
                    url
                })
            }
            Err(e) => {
                let retryable = e.is_retryable();
                tracing::error!(
                    provider,
                    call_id = %link.call_id,
                    retryable,
                    error = %e,
                    "payment provider could not create a session"
                );
                Err(PayLinkError::Provider { retryable })
            }
        }
    }
}
