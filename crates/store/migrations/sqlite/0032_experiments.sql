-- A/B tests of the follow-up text (see the PostgreSQL twin).
CREATE TABLE experiments (
  id          BLOB PRIMARY KEY,
  name        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('draft', 'running', 'stopped')),
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  stopped_at  INTEGER
);
CREATE UNIQUE INDEX experiments_one_running ON experiments (state) WHERE state = 'running';
CREATE INDEX experiments_created ON experiments (created_at DESC, id DESC);

CREATE TABLE experiment_variants (
  experiment_id BLOB NOT NULL REFERENCES experiments (id),
  position      INTEGER NOT NULL CHECK (position BETWEEN 0 AND 3),
  name          TEXT NOT NULL,
  split_percent INTEGER NOT NULL CHECK (split_percent BETWEEN 1 AND 100),
  thanks_en     TEXT NOT NULL,
  thanks_es     TEXT,
  PRIMARY KEY (experiment_id, position),
  UNIQUE (experiment_id, name)
);

-- SQLite cannot add a table CHECK to an existing table; the application writes both columns
-- or neither.
ALTER TABLE followups ADD COLUMN experiment_id BLOB REFERENCES experiments (id);
ALTER TABLE followups ADD COLUMN experiment_variant INTEGER;
CREATE INDEX followups_experiment ON followups (experiment_id, experiment_variant)
  WHERE experiment_id IS NOT NULL;
