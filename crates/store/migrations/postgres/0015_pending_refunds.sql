-- Refunds that arrived before the payment they refund (SPEC §11): kept here, once per refund
-- key, and applied by the transaction that records the payment (store/src/payments/refunds.rs),
-- so every order of deliveries ends in the same ledger.
CREATE TABLE pending_refunds (
  provider            text NOT NULL,
  refund_key          text NOT NULL,
  provider_payment_id text NOT NULL,
  -- Stripe's cumulative total refunded (true) or TipJar's single refund amount (false).
  cumulative          boolean NOT NULL,
  amount_cents        bigint NOT NULL,
  currency            text NOT NULL,
  received_at         timestamptz NOT NULL,
  PRIMARY KEY (provider, refund_key)
);
CREATE INDEX pending_refunds_payment ON pending_refunds (provider, provider_payment_id);

-- Platform data, written by payment webhooks (which run as 'system').
ALTER TABLE pending_refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE pending_refunds FORCE ROW LEVEL SECURITY;
CREATE POLICY pending_refunds_platform ON pending_refunds
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
