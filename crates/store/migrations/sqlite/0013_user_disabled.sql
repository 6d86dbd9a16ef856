-- `djcalls user disable` (see the PostgreSQL twin).
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
