-- Dashboard sign-in sessions. The cookie carries an opaque random id; only its SHA-256 hash is
-- stored, so a copy of this table signs nobody in. `csrf_token` is the session's synchronizer
-- token for form posts. A session ends at `expires_at` (sliding idle expiry, capped at a
-- maximum age from `created_at`).
CREATE TABLE web_sessions (
  id_hash      text PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Identity data: only the service itself (sign-in runs as 'system') and admins.
ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY web_sessions_platform ON web_sessions
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
