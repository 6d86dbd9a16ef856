-- The virtual-number pool's purchase ledger (SPEC §5, NUMBER_PURCHASE=on-demand); see the
-- PostgreSQL migration of the same name. Every on-demand purchase is reserved here before
-- Twilio is asked: one in flight per DJ, and every row that is not 'failed' counts toward
-- NUMBER_PURCHASE_MAX.

CREATE TABLE number_purchases (
  id                      BLOB PRIMARY KEY,
  dj_profile_id           BLOB NOT NULL REFERENCES dj_profiles (id),
  state                   TEXT NOT NULL CHECK (state IN ('pending', 'bought', 'failed', 'abandoned')),
  area_code               TEXT,
  virtual_number          TEXT,
  twilio_phone_number_sid TEXT,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL
);
CREATE UNIQUE INDEX number_purchases_one_pending_per_dj ON number_purchases (dj_profile_id) WHERE state = 'pending';

-- Kept for parity with PostgreSQL, where updating its one row serializes reservations.
CREATE TABLE number_purchase_lock (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  touched_at INTEGER
);
INSERT INTO number_purchase_lock (id) VALUES (1);
