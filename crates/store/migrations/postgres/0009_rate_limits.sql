-- Rate-limit counters shared by every process on this database (sign-in failures per email and
-- per client, widget clicks per client): one fixed window per key, counted by one atomic
-- upsert. Keys are SHA-256 hashes, so no email or client address is stored. Rows whose window
-- is over are pruned by the job runner.
CREATE TABLE rate_limits (
  key               text PRIMARY KEY,
  window_started_at timestamptz NOT NULL,
  hits              bigint NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_started_at);

-- Platform data: only the service itself counts (sign-in and clicks run as 'system').
ALTER TABLE rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY rate_limits_platform ON rate_limits
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
