-- One-time sign-in links minted by DJ Dash (see the PostgreSQL twin). Only the token's SHA-256
-- is stored; a link works once and only until `expires_at`.
CREATE TABLE sign_in_links (
  token_hash    TEXT PRIMARY KEY,
  dj_profile_id BLOB NOT NULL REFERENCES dj_profiles (id),
  email         TEXT NOT NULL,
  redirect      TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER
);
CREATE INDEX sign_in_links_expiry ON sign_in_links (expires_at);
