//! Verified payment webhooks into the ledger: payments, and refunds as deltas.

use super::ledger_jobs::ledger_jobs;
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
        let event = self.verify_payment_webhook(provider, signature, raw_body)?;
        self.record_payment_event(event)
            .await
            .map_err(WebhookError::Failed)
    }

    /// The verify-and-parse half of [`App::receive_payment_webhook`], with this app's secret
    /// for `provider` and its clock: the webhook routes call it before anything is recorded.
    pub fn verify_payment_webhook(
        &self,
        provider: Provider,
        signature: Option<&str>,
        raw_body: &[u8],
    ) -> Result<PaymentEvent, WebhookError> {
        let secret = match provider {
            Provider::Stripe => self.settings.stripe_webhook_secret.as_ref(),
            Provider::TipJar => self.settings.tipjar_webhook_secret.as_ref(),
        };
        let now = self.clock.now().as_second();
        provider
            .verify_and_parse(secret, signature, raw_body, now)
            .map_err(|rejection| {
                if let WebhookRejection::NoSecret(variable) = rejection {
                    tracing::error!(
                        provider = provider.as_str(),
                        "{variable} is not set: payment webhooks cannot be verified and are refused"
                    );
                }
                WebhookError::Rejected(rejection.to_string())
            })
    }

    /// Records a verified, parsed event.
    pub async fn record_payment_event(
        &self,
        event: PaymentEvent,
    ) -> Result<WebhookOutcome, AppError> {
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
                if !entry
                    .currency
                    .eq_ignore_ascii_case(&self.settings.platform_currency)
                {
                    let new = self.store.hold_foreign_currency_payment(&entry).await?;
                    tracing::warn!(
                        provider = provider.as_str(),
                        %event_id,
                        call_id = %entry.call_id,
                        currency = %entry.currency,
                        new,
                        "payment in a currency other than PLATFORM_CURRENCY; kept for admins, not counted"
                    );
                    return Ok(WebhookOutcome::HeldForeignCurrency { new });
                }
                let new = self
                    .store
                    .record_payment_with(
                        &Actor::System,
                        &entry,
                        self.settings.platform_cut,
                        &|row| ledger_jobs(self, row),
                    )
                    .await?;
                tracing::info!(
                    provider = provider.as_str(),
                    %event_id,
                    call_id = %entry.call_id,
                    amount_cents = entry.amount.0,
                    new,
                    "payment recorded"
                );
                if new {
                    // Its `contact.updated` was enqueued with the ledger row.
                    self.count_contact_touch(&crate::contacts::ContactTouch::Payment {
                        call: entry.call_id,
                    });
                }
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
                let refund = NewRefund {
                    provider: provider.as_str().to_string(),
                    provider_payment_id,
                    refund_key,
                    size: refunded,
                    currency,
                    at: self.now(),
                };
                match self
                    .store
                    .record_refund_with(&refund, &|row| ledger_jobs(self, row))
                    .await?
                {
                    RefundOutcome::Recorded { call_id, amount } => {
                        tracing::info!(
                            provider = provider.as_str(),
                            %event_id,
                            %call_id,
                            amount_cents = amount.0,
                            "refund recorded"
                        );
                        self.count_contact_touch(&crate::contacts::ContactTouch::Payment {
                            call: call_id,
                        });
                        Ok(WebhookOutcome::Refunded {
                            recorded: Some(amount),
                        })
                    }
                    RefundOutcome::Duplicate | RefundOutcome::NothingNew => {
                        tracing::info!(provider = provider.as_str(), %event_id, "refund already recorded");
                        Ok(WebhookOutcome::Refunded { recorded: None })
                    }
                    RefundOutcome::NotCounted => {
                        tracing::info!(
                            provider = provider.as_str(),
                            %event_id,
                            "refund of a payment kept aside for its currency; nothing to subtract"
                        );
                        Ok(WebhookOutcome::Refunded { recorded: None })
                    }
                    RefundOutcome::Pending => {
                        // Kept: the payment's own transaction applies it when it arrives, so
                        // the ledger ends the same whichever came first.
                        tracing::info!(
                            provider = provider.as_str(),
                            %event_id,
                            provider_payment_id = %refund.provider_payment_id,
                            "refund before its payment; kept until the payment arrives"
                        );
                        Ok(WebhookOutcome::RefundPending)
                    }
                }
            }
        }
    }
}
