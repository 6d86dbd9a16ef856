-- `djcalls user disable` (SPEC §11): a disabled user's tokens and sessions stop working at
-- once; `djcalls user enable` clears it.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
