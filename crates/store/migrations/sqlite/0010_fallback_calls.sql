-- no-transaction
-- Calls found afterwards in Twilio's call log (`djcalls reconcile`) are stored with source
-- 'fallback'. SQLite cannot alter a CHECK in place, so dj_calls is rebuilt the way SQLite's
-- documentation prescribes (ALTER TABLE, "making other kinds of table schema changes"):
-- foreign keys off (they cannot be switched inside a transaction, hence no-transaction and
-- the explicit BEGIN/COMMIT), copy into the new table, drop the old one, rename, recreate
-- the indexes, foreign keys back on. The tables that reference
-- dj_calls by name (call_events, payment_links, followups) then reference the new table.
-- Same columns, in the same order, as 0001 (store/tests/store/schema.rs compares them).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE dj_calls_new (
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
  source                      TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'twilio', 'demo', 'fallback')),
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

INSERT INTO dj_calls_new (id, dj_profile_id, virtual_number, caller_number, caller_name, "timestamp", page_url, event_type, lead_score, is_booked, call_duration_seconds, call_status, call_sid, tipjar_link_sent, tipjar_link, tipjar_payment_received, tipjar_payment_amount_cents, product_context, notes, source, answered, talk_seconds, voicemail_left, recording_sid, recording_duration_seconds, transcription_status, transcription_text, attribution, created_at, updated_at)
  SELECT id, dj_profile_id, virtual_number, caller_number, caller_name, "timestamp", page_url, event_type, lead_score, is_booked, call_duration_seconds, call_status, call_sid, tipjar_link_sent, tipjar_link, tipjar_payment_received, tipjar_payment_amount_cents, product_context, notes, source, answered, talk_seconds, voicemail_left, recording_sid, recording_duration_seconds, transcription_status, transcription_text, attribution, created_at, updated_at FROM dj_calls;
DROP TABLE dj_calls;
ALTER TABLE dj_calls_new RENAME TO dj_calls;
CREATE INDEX dj_calls_profile_time ON dj_calls (dj_profile_id, "timestamp" DESC, id DESC);
CREATE INDEX dj_calls_time ON dj_calls ("timestamp" DESC, id DESC);
COMMIT;
PRAGMA foreign_keys = ON;
