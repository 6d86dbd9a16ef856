-- Payments in a currency other than the platform's (PLATFORM_CURRENCY): kept for admins to
-- see, once per provider payment id, but never in `payments`, so they never count as revenue
-- and never mark a call paid (SPEC §11).
CREATE TABLE foreign_currency_payments (
  id                  uuid PRIMARY KEY,
  call_id             uuid NOT NULL,
  dj_profile_id       uuid NOT NULL REFERENCES dj_profiles (id),
  provider            text NOT NULL,
  provider_payment_id text NOT NULL,
  amount_cents        bigint NOT NULL,
  currency            text NOT NULL,
  received_at         timestamptz NOT NULL,
  UNIQUE (provider, provider_payment_id),
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id)
);
CREATE INDEX foreign_currency_payments_received ON foreign_currency_payments (received_at);

ALTER TABLE foreign_currency_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE foreign_currency_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY foreign_currency_payments_tenant ON foreign_currency_payments
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
