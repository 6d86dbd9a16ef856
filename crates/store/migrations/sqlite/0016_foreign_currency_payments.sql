-- Payments in a currency other than the platform's (see the PostgreSQL twin).
CREATE TABLE foreign_currency_payments (
  id                  BLOB PRIMARY KEY,
  call_id             BLOB NOT NULL,
  dj_profile_id       BLOB NOT NULL REFERENCES dj_profiles (id),
  provider            TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  amount_cents        INTEGER NOT NULL,
  currency            TEXT NOT NULL,
  received_at         INTEGER NOT NULL,
  UNIQUE (provider, provider_payment_id),
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id)
);
CREATE INDEX foreign_currency_payments_received ON foreign_currency_payments (received_at);
