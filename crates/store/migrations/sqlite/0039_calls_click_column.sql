-- The click a call's attribution names, as a column (the PostgreSQL file of the same name
-- says why): the 16 bytes of the id, or NULL when the attribution names none.
ALTER TABLE dj_calls ADD COLUMN click_id BLOB
  GENERATED ALWAYS AS (CASE WHEN json_valid(attribution)
    AND length(unhex(replace(json_extract(attribution, '$.click_id'), '-', ''))) = 16
    THEN unhex(replace(json_extract(attribution, '$.click_id'), '-', '')) END) VIRTUAL;
DROP INDEX dj_calls_click;
CREATE INDEX dj_calls_click_id ON dj_calls (click_id) WHERE click_id IS NOT NULL;
