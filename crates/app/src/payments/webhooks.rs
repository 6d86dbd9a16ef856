//! Verified payment webhooks into the ledger: payments, and refunds as deltas.

use super::*;

impl App {
    /// `POST /api/stripe/webhook` and `POST /api/tipjar/webhook`: verifies `signature` (the
    /// `Stripe-Signature` / `X-TipJar-Signature` header) over the raw body with the configured
    /// secret and a 300 s tolerance in both directions, then records the event.
    ///
    /// Idempotency: a payment is one ledger row per `(provider, payment id)` and a refund one
    /// per `(provider, refund key)`, both unique in the schema. A redelivered event carries the
    /// same payment id / refund key, so it writes nothing and is answered 200 again; a second
    /// event about the same payment (e.g. `checkout.session.async_payment_succeeded` after
    /// `completed`) records nothing either.
    pub async fn receive_payment_webhook(
        &self,
        provider: Provider,
        signature: Option<&str>,
        raw_body: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        let (secret, variable) = match provider {
            Provider::Stripe => (
                &self.settings.stripe_webhook_secret,
                "STRIPE_WEBHOOK_SECRET",
            ),
            Provider::TipJar => (
                &self.settings.tipjar_webhook_secret,
                "TIPJAR_WEBHOOK_SECRET",
            ),
        };
        let Some(secret) = secret else {
            tracing::error!(
                provider = provider.as_str(),
                "{variable} is not set: payment webhooks cannot be verified and are refused"
            );
            return Err(WebhookError::Rejected(format!("{variable} is not set")));
        };
        let Some(signature) = signature else {
            return Err(WebhookError::Rejected("no signature header".into()));
        };
        let now = self.clock.now().as_second();
        let verified = match provider {
            Provider::Stripe => {
                verify_stripe_signature(secret, signature, raw_body, now, DEFAULT_TOLERANCE_SECS)
            }
            Provider::TipJar => {
                verify_tipjar_signature(secret, signature, raw_body, now, DEFAULT_TOLERANCE_SECS)
            }
        };
        verified.map_err(|e| WebhookError::Rejected(e.to_string()))?;
        let event = match provider {
            Provider::Stripe => parse_stripe_event(raw_body),
            Provider::TipJar => parse_tipjar_event(raw_body),
        }
        .map_err(|e| WebhookError::Rejected(e.to_string()))?;
        self.record_payment_event(event)
            .await
            .map_err(WebhookError::Failed)
    }

    /// Records a verified, parsed event.
    async fn record_payment_event(&self, event: PaymentEvent) -> Result<WebhookOutcome, AppError> {
        match event {
            PaymentEvent::Ignored {
                event_id,
                event_type,
                reason,
            } => {
                tracing::info!(%event_id, %event_type, reason, "payment webhook ignored");
                Ok(WebhookOutcome::Ignored)
            }
            PaymentEvent::Paid {
                provider,
                event_id,
                provider_payment_id,
                amount_cents,
                currency,
                reference,
            } => {
                let Some(link) = self.store.payment_link_by_reference(&reference).await? else {
                    // 200, not 404: the reference is not one of ours (another integration on the
                    // same Stripe account, a test event, a deleted link). Nothing would change
                    // on a retry, and a 4xx makes the provider resend it for days. The warning
                    // carries the ids an operator needs to reconcile by hand.
                    tracing::warn!(
                        provider = provider.as_str(),
                        %event_id,
                        %provider_payment_id,
                        "payment for an unknown reference; not recorded"
                    );
                    return Ok(WebhookOutcome::Unmatched);
                };
                warn_on_currency(provider, &event_id, &currency);
                let entry = NewPayment {
                    call_id: link.call_id,
                    dj_profile_id: link.dj_profile_id,
                    provider: provider.as_str().to_string(),
                    provider_entry_id: provider_payment_id.clone(),
                    provider_payment_id,
                    amount: amount_cents,
                    currency,
                    at: self.now(),
                };
                let new = self
                    .store
                    .record_payment(&Actor::System, &entry, self.settings.platform_cut)
                    .await?;
                tracing::info!(
                    provider = provider.as_str(),
                    %event_id,
                    call_id = %entry.call_id,
                    amount_cents = entry.amount.0,
                    new,
                    "payment recorded"
                );
                Ok(WebhookOutcome::Paid { new })
            }
            PaymentEvent::Refunded {
                provider,
                event_id,
                provider_payment_id,
                refund_key,
                refunded,
                currency,
            } => {
                warn_on_currency(provider, &event_id, &currency);
                let refund = NewRefund {
                    provider: provider.as_str().to_string(),
                    provider_payment_id,
                    refund_key,
                    size: refunded,
                    currency,
                    at: self.now(),
                };
                match self.store.record_refund(&refund).await? {
                    RefundOutcome::Recorded { call_id, amount } => {
                        tracing::info!(
                            provider = provider.as_str(),
                            %event_id,
                            %call_id,
                            amount_cents = amount.0,
                            "refund recorded"
                        );
                        Ok(WebhookOutcome::Refunded {
                            recorded: Some(amount),
                        })
                    }
                    RefundOutcome::Duplicate | RefundOutcome::NothingNew => {
                        tracing::info!(provider = provider.as_str(), %event_id, "refund already recorded");
                        Ok(WebhookOutcome::Refunded { recorded: None })
                    }
                    RefundOutcome::UnknownPayment => {
                        // 200 for the same reason as an unknown reference. Stripe's later refund
                        // events carry the cumulative total, so they still catch up once the
                        // payment is known.
                        tracing::warn!(
                            provider = provider.as_str(),
                            %event_id,
                            provider_payment_id = %refund.provider_payment_id,
                            "refund of an unknown payment; not recorded"
                        );
                        Ok(WebhookOutcome::Unmatched)
                    }
                }
            }
        }
    }
}
