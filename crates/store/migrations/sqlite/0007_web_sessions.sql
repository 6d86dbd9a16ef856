-- Dashboard sign-in sessions (see the PostgreSQL twin). The cookie carries an opaque random id;
-- only its SHA-256 hash is stored, so a copy of this table signs nobody in.
CREATE TABLE web_sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
