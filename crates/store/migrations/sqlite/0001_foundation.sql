-- The foundation: DJ profiles, calls, virtual numbers, the payment ledger, users and API tokens.
-- Same tables and column names as migrations/postgres/0001_foundation.sql. SQLite has no
-- row-level security: the application's access rule is the only one here.
--
-- Types: ids are 16-byte UUID blobs, timestamps INTEGER microseconds since the Unix epoch,
-- booleans 0/1, money integer cents. `tipjar_payment_amount` (dollars) is generated from cents.

CREATE TABLE dj_profiles (
  id                BLOB PRIMARY KEY,
  dj_name           TEXT NOT NULL,
  dj_slug           TEXT NOT NULL UNIQUE,
  is_published      INTEGER NOT NULL DEFAULT 0,
  timezone          TEXT NOT NULL DEFAULT 'America/New_York',
  real_phone_number TEXT,
  product_context   TEXT NOT NULL DEFAULT 'djdash' CHECK (product_context = 'djdash'),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);

CREATE TABLE dj_calls (
  id                          BLOB PRIMARY KEY,
  dj_profile_id               BLOB NOT NULL REFERENCES dj_profiles (id),
  virtual_number              TEXT,
  caller_number               TEXT,
  caller_name                 TEXT,
  "timestamp"                 INTEGER NOT NULL,
  page_url                    TEXT,
  event_type                  TEXT,
  lead_score                  TEXT NOT NULL DEFAULT 'hot' CHECK (lead_score IN ('hot', 'warm', 'cold')),
  is_booked                   INTEGER NOT NULL DEFAULT 0,
  call_duration_seconds       INTEGER CHECK (call_duration_seconds >= 0),
  call_status                 TEXT NOT NULL DEFAULT 'ringing' CHECK (call_status IN
                                ('ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', 'voicemail')),
  call_sid                    TEXT UNIQUE,
  tipjar_link_sent            INTEGER NOT NULL DEFAULT 0,
  tipjar_link                 TEXT,
  tipjar_payment_received     INTEGER NOT NULL DEFAULT 0,
  tipjar_payment_amount_cents INTEGER NOT NULL DEFAULT 0,
  tipjar_payment_amount       REAL GENERATED ALWAYS AS (tipjar_payment_amount_cents / 100.0) VIRTUAL,
  product_context             TEXT NOT NULL DEFAULT 'djdash' CHECK (product_context = 'djdash'),
  notes                       TEXT,
  source                      TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'twilio', 'demo')),
  answered                    INTEGER NOT NULL DEFAULT 0,
  talk_seconds                INTEGER CHECK (talk_seconds >= 0),
  voicemail_left              INTEGER NOT NULL DEFAULT 0,
  recording_sid               TEXT,
  recording_duration_seconds  INTEGER,
  transcription_status        TEXT,
  transcription_text          TEXT,
  attribution                 TEXT,
  created_at                  INTEGER NOT NULL,
  updated_at                  INTEGER NOT NULL,
  UNIQUE (id, dj_profile_id)
);
CREATE INDEX dj_calls_profile_time ON dj_calls (dj_profile_id, "timestamp" DESC, id DESC);
CREATE INDEX dj_calls_time ON dj_calls ("timestamp" DESC, id DESC);

CREATE TABLE dj_virtual_numbers (
  id                      BLOB PRIMARY KEY,
  dj_profile_id           BLOB REFERENCES dj_profiles (id),
  virtual_number          TEXT NOT NULL UNIQUE,
  twilio_phone_number_sid TEXT UNIQUE,
  real_phone_number       TEXT,
  is_active               INTEGER NOT NULL DEFAULT 0,
  product_context         TEXT NOT NULL DEFAULT 'djdash' CHECK (product_context = 'djdash'),
  state                   TEXT NOT NULL CHECK (state IN ('available', 'assigned', 'cooling', 'released')),
  area_code               TEXT,
  assigned_at             INTEGER,
  released_at             INTEGER,
  cooling_until           INTEGER,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  CHECK ((state = 'assigned') = (dj_profile_id IS NOT NULL AND is_active))
);
CREATE UNIQUE INDEX dj_virtual_numbers_one_per_dj ON dj_virtual_numbers (dj_profile_id) WHERE state = 'assigned';
CREATE INDEX dj_virtual_numbers_pool ON dj_virtual_numbers (state, area_code);

CREATE TABLE payments (
  id                  BLOB PRIMARY KEY,
  call_id             BLOB NOT NULL,
  dj_profile_id       BLOB NOT NULL REFERENCES dj_profiles (id),
  provider            TEXT NOT NULL,
  kind                TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
  provider_entry_id   TEXT NOT NULL,
  provider_payment_id TEXT NOT NULL,
  amount_cents        INTEGER NOT NULL,
  platform_cut_cents  INTEGER NOT NULL,
  dj_share_cents      INTEGER NOT NULL,
  currency            TEXT NOT NULL DEFAULT 'usd',
  created_at          INTEGER NOT NULL,
  UNIQUE (provider, provider_entry_id),
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id),
  CHECK (platform_cut_cents + dj_share_cents = amount_cents)
);
CREATE INDEX payments_call ON payments (call_id);

CREATE TABLE users (
  id            BLOB PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('dj', 'admin')),
  created_at    INTEGER NOT NULL
);

CREATE TABLE user_profiles (
  user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  dj_profile_id BLOB NOT NULL,
  PRIMARY KEY (user_id, dj_profile_id)
);

CREATE TABLE api_tokens (
  id           BLOB PRIMARY KEY,
  user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
