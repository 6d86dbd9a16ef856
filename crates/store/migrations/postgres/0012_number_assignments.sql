-- Every time a DJ got a virtual number (from the pool or bought for them), so the limit on new
-- numbers per DJ (NUMBER_REASSIGN_LIMIT, SPEC §11) is counted in the database: it holds
-- across processes and restarts. Written in the transaction that assigns the number.
CREATE TABLE number_assignments (
  id             uuid PRIMARY KEY,
  dj_profile_id  uuid NOT NULL REFERENCES dj_profiles (id),
  virtual_number text NOT NULL,
  assigned_at    timestamptz NOT NULL
);
CREATE INDEX number_assignments_by_dj ON number_assignments (dj_profile_id, assigned_at);

-- The numbers DJs hold today were their first (or latest) assignment.
INSERT INTO number_assignments (id, dj_profile_id, virtual_number, assigned_at)
SELECT id, dj_profile_id, virtual_number, coalesce(assigned_at, updated_at)
FROM dj_virtual_numbers WHERE state = 'assigned';

ALTER TABLE number_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE number_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY number_assignments_tenant ON number_assignments
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
