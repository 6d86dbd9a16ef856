-- Short payment links (see the PostgreSQL twin).
CREATE TABLE payment_links (
  id             BLOB PRIMARY KEY,
  call_id        BLOB NOT NULL UNIQUE,
  dj_profile_id  BLOB NOT NULL,
  token          TEXT NOT NULL UNIQUE,
  reference      TEXT NOT NULL UNIQUE,
  opens          INTEGER NOT NULL DEFAULT 0,
  last_opened_at INTEGER,
  revoked_at     INTEGER,
  created_at     INTEGER NOT NULL,
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id)
);
