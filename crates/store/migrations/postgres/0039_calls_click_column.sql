-- The click a call's attribution names, as a column (issues 9 and 13). The funnel looks a
-- click's calls up by it. An index on the JSON expression itself could not serve a role bound
-- by row-level security: the expression is not leakproof, so PostgreSQL evaluates it only
-- after the policy, row by row, which turned each lookup into a scan of every call.
ALTER TABLE dj_calls ADD COLUMN click_id uuid
  GENERATED ALWAYS AS (djcalls_funnel_click_of(attribution)) STORED;
DROP INDEX dj_calls_click;
CREATE INDEX dj_calls_click_id ON dj_calls (click_id) WHERE click_id IS NOT NULL;
