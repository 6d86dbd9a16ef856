-- The booking funnel (SPEC §15) on summaries (issues 9 and 13). A funnel stage counts clicks:
-- a click reached a stage when one of its calls (same DJ, at or after the click, its
-- attribution's `click_id`) passed that stage and every stage above it. That is a maximum over
-- the click's calls, not a sum, so it cannot be kept as −old/+new deltas as the §6 figures are.
-- Instead every change that can move a click's journey marks the click dirty, from triggers in
-- the writer's transaction; the folder (`store/src/analytics/funnel_fold.rs`) recomputes each
-- dirty click from its calls, keeps that state per click, and adds the change of state to
-- per-day summaries. Readers add, in the same statement, the difference between the dirty
-- clicks' journeys now and their kept state, so a figure is exact once a write commits.
--
-- "Conversations" depends on FOLLOWUP_MIN_TALK_SECONDS, so the summaries are built for one
-- threshold, kept here; a service configured with another one has them rebuilt by its folder,
-- and a read for another threshold counts from the calls.

CREATE TABLE analytics_funnel_settings (
  singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  min_talk_seconds integer NOT NULL CHECK (min_talk_seconds >= 0)
);

-- Clicks whose journey may have changed since the folder last looked.
CREATE TABLE analytics_funnel_dirty (
  seq           bigserial PRIMARY KEY,
  dj_profile_id uuid NOT NULL,
  click_id      uuid NOT NULL
);
ALTER TABLE analytics_funnel_dirty SET (autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000, autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 5000);

-- Each click's journey as the folder last computed it (0 or 1 per stage).
CREATE TABLE analytics_funnel_clicks (
  click_id      uuid PRIMARY KEY,
  dj_profile_id uuid NOT NULL,
  clicked_at    timestamptz NOT NULL,
  calls         bigint NOT NULL,
  answered      bigint NOT NULL,
  conversations bigint NOT NULL,
  links_sent    bigint NOT NULL,
  links_opened  bigint NOT NULL,
  paid          bigint NOT NULL,
  revenue_cents bigint NOT NULL
);
CREATE INDEX analytics_funnel_clicks_dj_time ON analytics_funnel_clicks (dj_profile_id, clicked_at);
CREATE INDEX analytics_funnel_clicks_time ON analytics_funnel_clicks (clicked_at);

-- The journeys of the clicks made on each UTC day (days since 1970-01-01), per DJ and for the
-- whole platform.
CREATE TABLE analytics_funnel_dj_days (
  dj_profile_id uuid NOT NULL,
  day           bigint NOT NULL,
  clicks        bigint NOT NULL,
  calls         bigint NOT NULL,
  answered      bigint NOT NULL,
  conversations bigint NOT NULL,
  links_sent    bigint NOT NULL,
  links_opened  bigint NOT NULL,
  paid          bigint NOT NULL,
  revenue_cents bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, day)
);
CREATE TABLE analytics_funnel_platform_days (
  day           bigint PRIMARY KEY,
  clicks        bigint NOT NULL,
  calls         bigint NOT NULL,
  answered      bigint NOT NULL,
  conversations bigint NOT NULL,
  links_sent    bigint NOT NULL,
  links_opened  bigint NOT NULL,
  paid          bigint NOT NULL,
  revenue_cents bigint NOT NULL
);

-- A click's calls, found by the click they name.
CREATE INDEX dj_calls_click ON dj_calls ((attribution::json ->> 'click_id'))
  WHERE attribution IS NOT NULL;

ALTER TABLE analytics_funnel_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_funnel_settings FORCE ROW LEVEL SECURITY;
-- Everyone may read which threshold the summaries hold; only the platform changes it.
CREATE POLICY analytics_funnel_settings_read ON analytics_funnel_settings FOR SELECT USING (true);
CREATE POLICY analytics_funnel_settings_platform ON analytics_funnel_settings
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE analytics_funnel_dirty ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_funnel_dirty FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_funnel_dirty_tenant ON analytics_funnel_dirty
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_funnel_clicks ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_funnel_clicks FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_funnel_clicks_tenant ON analytics_funnel_clicks
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_funnel_dj_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_funnel_dj_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_funnel_dj_days_tenant ON analytics_funnel_dj_days
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_funnel_platform_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_funnel_platform_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_funnel_platform_days_platform ON analytics_funnel_platform_days
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));

-- The click a call's attribution names, when it is a well-formed id (anything else names no
-- click: the write must never fail over it).
CREATE FUNCTION djcalls_funnel_click_of(attribution text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN k ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              THEN k::uuid END
  FROM (SELECT attribution::json ->> 'click_id' AS k) a
$$;

-- Each call that names a click, with the click (SQLite's triggers read this; here for both
-- schemas to stay one).
CREATE VIEW analytics_funnel_call_clicks AS
  SELECT c.id AS call_id, c.dj_profile_id, djcalls_funnel_click_of(c.attribution) AS click_id
  FROM dj_calls c WHERE c.attribution IS NOT NULL;

CREATE FUNCTION djcalls_funnel_clicks_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT dj_profile_id, id FROM new_rows;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT dj_profile_id, id FROM old_rows UNION SELECT dj_profile_id, id FROM new_rows;
  ELSE
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT dj_profile_id, id FROM old_rows;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER funnel_clicks_inserted AFTER INSERT ON widget_clicks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_clicks_changed();
CREATE TRIGGER funnel_clicks_updated AFTER UPDATE ON widget_clicks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_clicks_changed();
CREATE TRIGGER funnel_clicks_deleted AFTER DELETE ON widget_clicks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_clicks_changed();

-- A call names a click: its insert, the changes that move a stage, and its delete mark it.
CREATE FUNCTION djcalls_funnel_calls_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT dj_profile_id, djcalls_funnel_click_of(attribution) FROM new_rows
    WHERE attribution IS NOT NULL AND djcalls_funnel_click_of(attribution) IS NOT NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT r.dj_profile_id, r.click_id FROM old_rows o JOIN new_rows n ON n.id = o.id,
      LATERAL (VALUES (o.dj_profile_id, djcalls_funnel_click_of(o.attribution)),
                      (n.dj_profile_id, djcalls_funnel_click_of(n.attribution))) r (dj_profile_id, click_id)
    WHERE r.click_id IS NOT NULL
      AND (o.dj_profile_id, o."timestamp", o.attribution, o.answered, o.talk_seconds,
           o.tipjar_link_sent, o.tipjar_payment_received)
          IS DISTINCT FROM
          (n.dj_profile_id, n."timestamp", n.attribution, n.answered, n.talk_seconds,
           n.tipjar_link_sent, n.tipjar_payment_received);
  ELSE
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT dj_profile_id, djcalls_funnel_click_of(attribution) FROM old_rows
    WHERE attribution IS NOT NULL AND djcalls_funnel_click_of(attribution) IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER funnel_calls_inserted AFTER INSERT ON dj_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_calls_changed();
CREATE TRIGGER funnel_calls_updated AFTER UPDATE ON dj_calls
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_calls_changed();
CREATE TRIGGER funnel_calls_deleted AFTER DELETE ON dj_calls
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_calls_changed();

-- A payment link's first open and a payment or refund move the click of the call they belong to.
CREATE FUNCTION djcalls_funnel_call_touched(call uuid) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT c.dj_profile_id, djcalls_funnel_click_of(c.attribution) FROM dj_calls c
  WHERE c.id = call AND c.attribution IS NOT NULL
    AND djcalls_funnel_click_of(c.attribution) IS NOT NULL
$$;

CREATE FUNCTION djcalls_funnel_call_rows_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM djcalls_funnel_call_touched(OLD.call_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.call_id IS DISTINCT FROM OLD.call_id) THEN
    PERFORM djcalls_funnel_call_touched(NEW.call_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER funnel_payments_changed AFTER INSERT OR DELETE OR UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION djcalls_funnel_call_rows_changed();
-- Only whether a link was opened at all counts, not each further open.
CREATE TRIGGER funnel_links_inserted AFTER INSERT ON payment_links
  FOR EACH ROW WHEN (NEW.opens > 0) EXECUTE FUNCTION djcalls_funnel_call_rows_changed();
CREATE TRIGGER funnel_links_updated AFTER UPDATE ON payment_links
  FOR EACH ROW WHEN ((OLD.opens > 0) IS DISTINCT FROM (NEW.opens > 0)
                     OR OLD.call_id IS DISTINCT FROM NEW.call_id)
  EXECUTE FUNCTION djcalls_funnel_call_rows_changed();
CREATE TRIGGER funnel_links_deleted AFTER DELETE ON payment_links
  FOR EACH ROW WHEN (OLD.opens > 0) EXECUTE FUNCTION djcalls_funnel_call_rows_changed();

-- "Numbers shown" per UTC day, kept by a trigger beside the quarter-hour counts (the DNI
-- endpoint's batched flushes are their only writer; one row per DJ and day, and one per day).
CREATE TABLE numbers_shown_dj_days (
  dj_profile_id uuid NOT NULL,
  day           bigint NOT NULL,
  shown         bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, day)
);
CREATE TABLE numbers_shown_platform_days (
  day   bigint PRIMARY KEY,
  shown bigint NOT NULL
);
ALTER TABLE numbers_shown_dj_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE numbers_shown_dj_days FORCE ROW LEVEL SECURITY;
CREATE POLICY numbers_shown_dj_days_tenant ON numbers_shown_dj_days
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE numbers_shown_platform_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE numbers_shown_platform_days FORCE ROW LEVEL SECURITY;
CREATE POLICY numbers_shown_platform_days_platform ON numbers_shown_platform_days
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));

CREATE FUNCTION djcalls_numbers_shown_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  d bigint;
  n bigint;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    d := floor(extract(epoch FROM OLD.bucket) / 86400)::bigint;
    INSERT INTO numbers_shown_dj_days AS t (dj_profile_id, day, shown)
    VALUES (OLD.dj_profile_id, d, -OLD.shown)
    ON CONFLICT (dj_profile_id, day) DO UPDATE SET shown = t.shown + excluded.shown;
    INSERT INTO numbers_shown_platform_days AS t (day, shown) VALUES (d, -OLD.shown)
    ON CONFLICT (day) DO UPDATE SET shown = t.shown + excluded.shown;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    d := floor(extract(epoch FROM NEW.bucket) / 86400)::bigint;
    n := NEW.shown;
    INSERT INTO numbers_shown_dj_days AS t (dj_profile_id, day, shown)
    VALUES (NEW.dj_profile_id, d, n)
    ON CONFLICT (dj_profile_id, day) DO UPDATE SET shown = t.shown + excluded.shown;
    INSERT INTO numbers_shown_platform_days AS t (day, shown) VALUES (d, n)
    ON CONFLICT (day) DO UPDATE SET shown = t.shown + excluded.shown;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER numbers_shown_changed AFTER INSERT OR UPDATE OR DELETE ON numbers_shown
  FOR EACH ROW EXECUTE FUNCTION djcalls_numbers_shown_changed();

INSERT INTO numbers_shown_dj_days (dj_profile_id, day, shown)
SELECT dj_profile_id, floor(extract(epoch FROM bucket) / 86400)::bigint, sum(shown)
FROM numbers_shown GROUP BY 1, 2;
INSERT INTO numbers_shown_platform_days (day, shown)
SELECT floor(extract(epoch FROM bucket) / 86400)::bigint, sum(shown) FROM numbers_shown GROUP BY 1;

-- Clicks made before this migration: the first fold computes their journeys.
INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
SELECT dj_profile_id, id FROM widget_clicks;
