-- Refunds that arrived before the payment they refund (see the PostgreSQL twin).
CREATE TABLE pending_refunds (
  provider            TEXT NOT NULL,
  refund_key          TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  cumulative          INTEGER NOT NULL,
  amount_cents        INTEGER NOT NULL,
  currency            TEXT NOT NULL,
  received_at         INTEGER NOT NULL,
  PRIMARY KEY (provider, refund_key)
);
CREATE INDEX pending_refunds_payment ON pending_refunds (provider, provider_payment_id);
