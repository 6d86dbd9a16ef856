-- Reports (SPEC §15, issue 13 parts 1 and 2).
--
-- `ad_spend`: money spent on a source in a calendar month, by a DJ (`dj_profile_id`) or by the
-- platform (NULL; admins and the service only). `owner_key` is the profile id as text, or
-- 'platform', so one unique key holds for both (NULLs are never equal in a unique key);
-- absent medium/campaign are stored as '' for the same reason and read back as null.
CREATE TABLE ad_spend (
  id            uuid PRIMARY KEY,
  dj_profile_id uuid REFERENCES dj_profiles (id),
  owner_key     text NOT NULL,
  month         text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  source        text NOT NULL,
  medium        text NOT NULL,
  campaign      text NOT NULL,
  spend_cents   bigint NOT NULL CHECK (spend_cents >= 0),
  updated_at    timestamptz NOT NULL,
  UNIQUE (owner_key, month, source, medium, campaign)
);

-- `numbers_shown`: answers of GET /api/djdash/dni that included the DJ's number, counted in
-- memory and added here in batches, per UTC quarter-hour (`bucket` = its first instant), so a
-- range in any zone (every offset in use is a multiple of 15 minutes) is counted exactly.
CREATE TABLE numbers_shown (
  dj_profile_id uuid NOT NULL REFERENCES dj_profiles (id),
  bucket        timestamptz NOT NULL,
  shown         bigint NOT NULL CHECK (shown >= 0),
  PRIMARY KEY (dj_profile_id, bucket)
);

-- A DJ sees their own rows; platform spend (NULL profile) only admins, the service and jobs
-- (djcalls_can_see(NULL) is true for those roles only).
ALTER TABLE ad_spend ENABLE ROW LEVEL SECURITY;
ALTER TABLE ad_spend FORCE ROW LEVEL SECURITY;
CREATE POLICY ad_spend_tenant ON ad_spend
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE numbers_shown ENABLE ROW LEVEL SECURITY;
ALTER TABLE numbers_shown FORCE ROW LEVEL SECURITY;
CREATE POLICY numbers_shown_tenant ON numbers_shown
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
