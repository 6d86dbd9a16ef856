-- The follow-up texts a DJ wrote (see the PostgreSQL twin).
CREATE TABLE followup_texts (
  dj_profile_id BLOB NOT NULL REFERENCES dj_profiles (id),
  kind          TEXT NOT NULL CHECK (kind IN ('thanks', 'missed')),
  language      TEXT NOT NULL CHECK (language IN ('en', 'es')),
  body          TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, kind, language)
);
