-- Call insights (SPEC §12; see the PostgreSQL twin). `insights` is the JSON the analysis of
-- the call's transcript gave (null until there is one); the call's `lead_score` and
-- `event_type` follow it unless a person set them (PATCH or the call page), which the two
-- flags remember so a later transcript never overwrites a person's value.
ALTER TABLE dj_calls ADD COLUMN insights TEXT;
ALTER TABLE dj_calls ADD COLUMN lead_score_set_by_person INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dj_calls ADD COLUMN event_type_set_by_person INTEGER NOT NULL DEFAULT 0;
