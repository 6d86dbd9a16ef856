-- Every time a DJ got a virtual number (see the PostgreSQL twin): the limit on new numbers
-- per DJ (NUMBER_REASSIGN_LIMIT) is counted here.
CREATE TABLE number_assignments (
  id             BLOB PRIMARY KEY,
  dj_profile_id  BLOB NOT NULL REFERENCES dj_profiles (id),
  virtual_number TEXT NOT NULL,
  assigned_at    INTEGER NOT NULL
);
CREATE INDEX number_assignments_by_dj ON number_assignments (dj_profile_id, assigned_at);

INSERT INTO number_assignments (id, dj_profile_id, virtual_number, assigned_at)
SELECT id, dj_profile_id, virtual_number, coalesce(assigned_at, updated_at)
FROM dj_virtual_numbers WHERE state = 'assigned';
