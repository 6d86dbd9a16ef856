-- Durable jobs, the follow-up SMS claim, SMS messages and opt-outs (see the PostgreSQL twin).
CREATE TABLE jobs (
  id            BLOB PRIMARY KEY,
  kind          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
  attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
  run_at        INTEGER NOT NULL,
  locked_until  INTEGER,
  locked_by     TEXT,
  last_error    TEXT,
  dedupe_key    TEXT NOT NULL UNIQUE,
  dj_profile_id BLOB,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_dead ON jobs (updated_at DESC) WHERE state = 'dead';

CREATE TABLE followups (
  call_id       BLOB PRIMARY KEY,
  dj_profile_id BLOB NOT NULL,
  caller_number TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('thanks', 'missed')),
  state         TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'unknown', 'failed')),
  message_sid   TEXT,
  claimed_at    INTEGER NOT NULL,
  sent_at       INTEGER,
  updated_at    INTEGER NOT NULL,
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id)
);
CREATE INDEX followups_caller ON followups (dj_profile_id, caller_number, claimed_at);

CREATE TABLE messages (
  id            BLOB PRIMARY KEY,
  direction     TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  kind          TEXT NOT NULL,
  message_sid   TEXT UNIQUE,
  dj_profile_id BLOB,
  call_id       BLOB,
  from_number   TEXT,
  to_number     TEXT,
  body          TEXT,
  status        TEXT NOT NULL,
  status_rank   INTEGER NOT NULL DEFAULT 0,
  error_code    INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX messages_profile_time ON messages (dj_profile_id, created_at DESC);
CREATE INDEX messages_call ON messages (call_id);

CREATE TABLE sms_opt_outs (
  phone_number TEXT PRIMARY KEY,
  source       TEXT NOT NULL,
  opted_out_at INTEGER NOT NULL
);
