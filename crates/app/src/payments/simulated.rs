//! The simulator's checkout page: a payment that still goes through the signed webhook path.

use super::*;

impl App {
    /// The simulated provider's payment page for `session_id`, reached from `/pay/<token>`.
    /// `None` unless payments are simulated and the link is live.
    pub async fn simulated_checkout(
        &self,
        session_id: &str,
        token: &str,
    ) -> Result<SimulatedCheckout, SimulatedPayError> {
        if self.payments.name() != "simulator" || !is_session_id(session_id) || !is_token(token) {
            return Err(SimulatedPayError::NotFound);
        }
        let link = self
            .store
            .payment_link_by_token(token)
            .await
            .map_err(|e| SimulatedPayError::Webhook(WebhookError::Failed(e.into())))?
            .filter(|l| l.revoked_at.is_none())
            .ok_or(SimulatedPayError::NotFound)?;
        let dj_name = self
            .store
            .profile(&Actor::System, link.dj_profile_id)
            .await
            .map_err(|e| SimulatedPayError::Webhook(WebhookError::Failed(e.into())))?
            .map(|p| p.dj_name)
            .unwrap_or_else(|| "your DJ".to_string());
        Ok(SimulatedCheckout {
            description: format!("Booking deposit for {dj_name}"),
            dj_name,
        })
    }

    /// Completes a simulated payment of `amount` on `session_id`: signs the TipJar
    /// `payment.succeeded` webhook the simulator would send (the same event and payment ids as
    /// `SimulatedPayments::payment_succeeded_webhook`, so paying one session twice records once)
    /// with `TIPJAR_WEBHOOK_SECRET` and hands it to [`App::receive_payment_webhook`].
    ///
    /// The page is built here rather than by `SimulatedPayments` itself because `App` holds the
    /// provider as `Arc<dyn PaymentLinks>`, which cannot be turned back into the simulator; the
    /// session is instead tied to its link by the token our redirect appended.
    pub async fn complete_simulated_payment(
        &self,
        session_id: &str,
        token: &str,
        amount: Cents,
    ) -> Result<WebhookOutcome, SimulatedPayError> {
        if amount.0 <= 0 {
            return Err(SimulatedPayError::InvalidAmount);
        }
        self.simulated_checkout(session_id, token).await?;
        let link = self
            .store
            .payment_link_by_token(token)
            .await
            .map_err(|e| SimulatedPayError::Webhook(WebhookError::Failed(e.into())))?
            .ok_or(SimulatedPayError::NotFound)?;
        let Some(secret) = &self.settings.tipjar_webhook_secret else {
            return Err(SimulatedPayError::Webhook(WebhookError::Rejected(
                "TIPJAR_WEBHOOK_SECRET is not set".into(),
            )));
        };
        let body = serde_json::json!({
            "id": format!("evt_{session_id}_paid"),
            "type": "payment.succeeded",
            "data": {
                "payment_id": SimulatedPayments::payment_id(session_id),
                "amount_cents": amount.0,
                "currency": self.settings.platform_currency.to_ascii_lowercase(),
                "reference": link.reference,
            }
        })
        .to_string();
        let header = sign_tipjar_payload(secret, self.clock.now().as_second(), body.as_bytes());
        self.receive_payment_webhook(Provider::TipJar, Some(&header), body.as_bytes())
            .await
            .map_err(SimulatedPayError::Webhook)
    }
}
