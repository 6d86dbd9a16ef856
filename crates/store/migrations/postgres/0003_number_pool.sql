-- The virtual-number pool's purchase ledger (SPEC §5, NUMBER_PURCHASE=on-demand).
--
-- Every on-demand purchase is reserved here *before* Twilio is asked, so
--   * at most one purchase per DJ is ever in flight (the partial unique index), and
--   * NUMBER_PURCHASE_MAX is a hard cap over the table's lifetime: every row that is not
--     'failed' counts, including 'abandoned' ones (a crash between reserving and recording may
--     have bought a number we never heard back about).
-- Reservations serialize on the single row of number_purchase_lock (an UPDATE of it takes a
-- row lock until commit), so the count-then-insert is atomic on PostgreSQL; SQLite write
-- transactions are serialized anyway (BEGIN IMMEDIATE).

CREATE TABLE number_purchases (
  id                      uuid PRIMARY KEY,
  dj_profile_id           uuid NOT NULL REFERENCES dj_profiles (id),
  state                   text NOT NULL CHECK (state IN ('pending', 'bought', 'failed', 'abandoned')),
  area_code               text,
  virtual_number          text,
  twilio_phone_number_sid text,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL
);
CREATE UNIQUE INDEX number_purchases_one_pending_per_dj ON number_purchases (dj_profile_id) WHERE state = 'pending';

CREATE TABLE number_purchase_lock (
  id         integer PRIMARY KEY CHECK (id = 1),
  touched_at timestamptz
);
INSERT INTO number_purchase_lock (id) VALUES (1);

ALTER TABLE number_purchases ENABLE ROW LEVEL SECURITY;
ALTER TABLE number_purchases FORCE ROW LEVEL SECURITY;
CREATE POLICY number_purchases_tenant ON number_purchases
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

ALTER TABLE number_purchase_lock ENABLE ROW LEVEL SECURITY;
ALTER TABLE number_purchase_lock FORCE ROW LEVEL SECURITY;
CREATE POLICY number_purchase_lock_platform ON number_purchase_lock
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
