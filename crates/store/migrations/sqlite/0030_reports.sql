-- Reports (see the PostgreSQL twin): monthly ad spend per source, and the DNI answers that
-- showed each DJ's number per UTC quarter-hour. SQLite has no RLS: the application's check holds.
CREATE TABLE ad_spend (
  id            BLOB PRIMARY KEY,
  dj_profile_id BLOB REFERENCES dj_profiles (id),
  owner_key     TEXT NOT NULL,
  month         TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
  source        TEXT NOT NULL,
  medium        TEXT NOT NULL,
  campaign      TEXT NOT NULL,
  spend_cents   INTEGER NOT NULL CHECK (spend_cents >= 0),
  updated_at    INTEGER NOT NULL,
  UNIQUE (owner_key, month, source, medium, campaign)
);

CREATE TABLE numbers_shown (
  dj_profile_id BLOB NOT NULL REFERENCES dj_profiles (id),
  bucket        INTEGER NOT NULL,
  shown         INTEGER NOT NULL CHECK (shown >= 0),
  PRIMARY KEY (dj_profile_id, bucket)
);
