-- Contacts (see the PostgreSQL twin): one per DJ and caller number; the derived fields are
-- computed at read time. SQLite has no RLS and no stored functions: the application's access
-- check holds, and the incoming path is the general one (store/src/voice/mod.rs).
CREATE TABLE contacts (
  id            BLOB PRIMARY KEY,
  dj_profile_id BLOB NOT NULL REFERENCES dj_profiles (id),
  phone         TEXT NOT NULL CHECK (phone LIKE '+%'),
  name          TEXT,
  created_at    INTEGER NOT NULL,
  UNIQUE (dj_profile_id, phone)
);
CREATE INDEX contacts_profile_created ON contacts (dj_profile_id, created_at DESC, id DESC);
CREATE INDEX contacts_created ON contacts (created_at DESC, id DESC);
CREATE INDEX contacts_phone ON contacts (phone);
CREATE INDEX dj_calls_profile_caller ON dj_calls (dj_profile_id, caller_number, "timestamp" DESC, id DESC);
CREATE INDEX messages_profile_from ON messages (dj_profile_id, from_number);
CREATE INDEX messages_profile_to ON messages (dj_profile_id, to_number);

INSERT INTO contacts (id, dj_profile_id, phone, name, created_at)
SELECT randomblob(16), g.dj_profile_id, g.caller_number,
  (SELECT n.caller_name FROM dj_calls n
    WHERE n.dj_profile_id = g.dj_profile_id AND n.caller_number = g.caller_number
      AND n.caller_name IS NOT NULL
    ORDER BY n."timestamp", n.id LIMIT 1),
  g.first_at
FROM (SELECT dj_profile_id, caller_number, min("timestamp") AS first_at FROM dj_calls
       WHERE caller_number LIKE '+%' GROUP BY dj_profile_id, caller_number) g;
-- Random ids made UUIDs of version 4 (variant 10), as PostgreSQL's gen_random_uuid() makes them.
UPDATE contacts SET id = unhex(substr(hex(id), 1, 12) || '4' || substr(hex(id), 14, 3) || '8'
  || substr(hex(id), 18, 15));
