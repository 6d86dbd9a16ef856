-- A/B tests of the follow-up text (SPEC §13, issue 12 part 4).
--
-- experiments: draft → running → stopped; at most one runs at a time (the partial unique
-- index: a second start fails on it even when two admins race). A stopped experiment is never
-- started again, so its figures describe one period.
CREATE TABLE experiments (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  state       text NOT NULL CHECK (state IN ('draft', 'running', 'stopped')),
  created_at  timestamptz NOT NULL,
  started_at  timestamptz,
  stopped_at  timestamptz
);
CREATE UNIQUE INDEX experiments_one_running ON experiments (state) WHERE state = 'running';
CREATE INDEX experiments_created ON experiments (created_at DESC, id DESC);

-- Its variants, in the order given (`position`, 0-based): the share of calls (whole percent,
-- adding up to 100 over an experiment, checked by the application) and the thank-you text in
-- English (required: the fallback for every other language) and Spanish.
CREATE TABLE experiment_variants (
  experiment_id uuid NOT NULL REFERENCES experiments (id),
  position      integer NOT NULL CHECK (position BETWEEN 0 AND 3),
  name          text NOT NULL,
  split_percent integer NOT NULL CHECK (split_percent BETWEEN 1 AND 100),
  thanks_en     text NOT NULL,
  thanks_es     text,
  PRIMARY KEY (experiment_id, position),
  UNIQUE (experiment_id, name)
);

-- The variant a call's follow-up was given, written by the claim that decides its text (the
-- claim checks the experiment is still the running one). Null: no experiment ran, or the
-- call was not enrolled (a variant would not fit two segments with this DJ's name and links).
ALTER TABLE followups ADD COLUMN experiment_id uuid REFERENCES experiments (id);
ALTER TABLE followups ADD COLUMN experiment_variant integer;
ALTER TABLE followups ADD CONSTRAINT followups_variant_with_experiment
  CHECK ((experiment_id IS NULL) = (experiment_variant IS NULL));
CREATE INDEX followups_experiment ON followups (experiment_id, experiment_variant)
  WHERE experiment_id IS NOT NULL;

-- Platform data: the service, admins and the system (the follow-up job) only.
ALTER TABLE experiments ENABLE ROW LEVEL SECURITY;
ALTER TABLE experiments FORCE ROW LEVEL SECURITY;
CREATE POLICY experiments_platform ON experiments
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE experiment_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE experiment_variants FORCE ROW LEVEL SECURITY;
CREATE POLICY experiment_variants_platform ON experiment_variants
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
