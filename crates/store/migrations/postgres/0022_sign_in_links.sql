-- One-time sign-in links minted by DJ Dash (SPEC §14 "Sign-in from DJ Dash"). The link carries
-- 32 random bytes; only their SHA-256 is stored, so a copy of this table signs nobody in. A
-- link works once (`used_at` is set by the redeeming transaction) and only until `expires_at`
-- (60 s after minting). `redirect` is the dashboard path the browser lands on.
CREATE TABLE sign_in_links (
  token_hash    text PRIMARY KEY,
  dj_profile_id uuid NOT NULL REFERENCES dj_profiles (id),
  email         text NOT NULL,
  redirect      text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);
CREATE INDEX sign_in_links_expiry ON sign_in_links (expires_at);

-- Minted by the service and redeemed before anyone is known (as 'system'); a DJ would see only
-- links to their own profiles.
ALTER TABLE sign_in_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_links FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_links_tenant ON sign_in_links
  USING (djcalls_can_see(dj_profile_id))
  WITH CHECK (djcalls_can_see(dj_profile_id));
