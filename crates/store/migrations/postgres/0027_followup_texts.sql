-- The follow-up texts a DJ wrote (SPEC §13): one row per (DJ, kind, language); a kind and
-- language without a row uses the platform's default text. `body` is the template with its
-- placeholders, validated by the application before it is stored.
CREATE TABLE followup_texts (
  dj_profile_id uuid NOT NULL REFERENCES dj_profiles (id),
  kind          text NOT NULL CHECK (kind IN ('thanks', 'missed')),
  language      text NOT NULL CHECK (language IN ('en', 'es')),
  body          text NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (dj_profile_id, kind, language)
);

ALTER TABLE followup_texts ENABLE ROW LEVEL SECURITY;
ALTER TABLE followup_texts FORCE ROW LEVEL SECURITY;
CREATE POLICY followup_texts_tenant ON followup_texts
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
