-- Short payment links (SPEC §8): `PUBLIC_BASE_URL/pay/<token>` in the follow-up SMS. Opening one
-- creates the provider's session for the call; `reference` is the opaque id the provider
-- echoes back in its webhook. One link per call. The token is a capability that already
-- travels in plain text by SMS; it is stored as is so a retried job can send the same link.
CREATE TABLE payment_links (
  id             uuid PRIMARY KEY,
  call_id        uuid NOT NULL UNIQUE,
  dj_profile_id  uuid NOT NULL,
  token          text NOT NULL UNIQUE,
  reference      text NOT NULL UNIQUE,
  opens          integer NOT NULL DEFAULT 0,
  last_opened_at timestamptz,
  revoked_at     timestamptz,
  created_at     timestamptz NOT NULL,
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id)
);

ALTER TABLE payment_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_links FORCE ROW LEVEL SECURITY;
CREATE POLICY payment_links_tenant ON payment_links
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
