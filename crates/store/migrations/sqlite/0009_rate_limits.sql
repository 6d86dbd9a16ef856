-- Rate-limit counters (see the PostgreSQL twin): one fixed window per hashed key, counted by
-- one atomic upsert; rows whose window is over are pruned by the job runner.
CREATE TABLE rate_limits (
  key               TEXT PRIMARY KEY,
  window_started_at INTEGER NOT NULL,
  hits              INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_started_at);
