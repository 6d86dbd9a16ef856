-- The booking funnel (SPEC §15) on summaries (issues 9 and 13; the PostgreSQL file of the same
-- name explains more). Every change that can move a click's journey marks the click dirty,
-- from triggers in the writer's transaction; the folder recomputes each dirty click from its
-- calls, keeps that state per click and adds its change to per-day summaries; readers add the
-- dirty clicks' difference in the same statement.

CREATE TABLE analytics_funnel_settings (
  singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
  min_talk_seconds INTEGER NOT NULL CHECK (min_talk_seconds >= 0)
);

CREATE TABLE analytics_funnel_dirty (
  seq           INTEGER PRIMARY KEY,
  dj_profile_id BLOB NOT NULL,
  click_id      BLOB NOT NULL
);

CREATE TABLE analytics_funnel_clicks (
  click_id      BLOB PRIMARY KEY,
  dj_profile_id BLOB NOT NULL,
  clicked_at    INTEGER NOT NULL,
  calls         INTEGER NOT NULL,
  answered      INTEGER NOT NULL,
  conversations INTEGER NOT NULL,
  links_sent    INTEGER NOT NULL,
  links_opened  INTEGER NOT NULL,
  paid          INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL
);
CREATE INDEX analytics_funnel_clicks_dj_time ON analytics_funnel_clicks (dj_profile_id, clicked_at);
CREATE INDEX analytics_funnel_clicks_time ON analytics_funnel_clicks (clicked_at);

CREATE TABLE analytics_funnel_dj_days (
  dj_profile_id BLOB NOT NULL,
  day           INTEGER NOT NULL,
  clicks        INTEGER NOT NULL,
  calls         INTEGER NOT NULL,
  answered      INTEGER NOT NULL,
  conversations INTEGER NOT NULL,
  links_sent    INTEGER NOT NULL,
  links_opened  INTEGER NOT NULL,
  paid          INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, day)
);
CREATE TABLE analytics_funnel_platform_days (
  day           INTEGER PRIMARY KEY,
  clicks        INTEGER NOT NULL,
  calls         INTEGER NOT NULL,
  answered      INTEGER NOT NULL,
  conversations INTEGER NOT NULL,
  links_sent    INTEGER NOT NULL,
  links_opened  INTEGER NOT NULL,
  paid          INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL
);

-- A click's calls, found by the click they name.
CREATE INDEX dj_calls_click ON dj_calls (json_extract(attribution, '$.click_id'))
  WHERE attribution IS NOT NULL;

-- A click, a call naming a click (`analytics_funnel_call_clicks`: the 16 bytes of the id the
-- attribution names, NULL or shorter when it names none), or a change to either marks the click.
CREATE TRIGGER funnel_clicks_inserted AFTER INSERT ON widget_clicks BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id) VALUES (NEW.dj_profile_id, NEW.id);
END;
CREATE TRIGGER funnel_clicks_updated AFTER UPDATE ON widget_clicks BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id) VALUES (OLD.dj_profile_id, OLD.id);
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id) VALUES (NEW.dj_profile_id, NEW.id);
END;
CREATE TRIGGER funnel_clicks_deleted AFTER DELETE ON widget_clicks BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id) VALUES (OLD.dj_profile_id, OLD.id);
END;

CREATE VIEW analytics_funnel_call_clicks AS
  SELECT c.id AS call_id, c.dj_profile_id,
    unhex(replace(json_extract(c.attribution, '$.click_id'), '-', '')) AS click_id
  FROM dj_calls c WHERE c.attribution IS NOT NULL AND json_valid(c.attribution);

CREATE TRIGGER funnel_calls_inserted AFTER INSERT ON dj_calls WHEN NEW.attribution IS NOT NULL BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = NEW.id AND length(click_id) = 16;
END;
-- Before the update: the click the call named until now.
CREATE TRIGGER funnel_calls_updating BEFORE UPDATE ON dj_calls
  WHEN OLD.attribution IS NOT NULL AND (OLD.dj_profile_id IS NOT NEW.dj_profile_id
    OR OLD."timestamp" IS NOT NEW."timestamp" OR OLD.attribution IS NOT NEW.attribution
    OR OLD.answered IS NOT NEW.answered OR OLD.talk_seconds IS NOT NEW.talk_seconds
    OR OLD.tipjar_link_sent IS NOT NEW.tipjar_link_sent
    OR OLD.tipjar_payment_received IS NOT NEW.tipjar_payment_received)
BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = OLD.id AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_calls_updated AFTER UPDATE ON dj_calls
  WHEN NEW.attribution IS NOT NULL AND (OLD.dj_profile_id IS NOT NEW.dj_profile_id
    OR OLD."timestamp" IS NOT NEW."timestamp" OR OLD.attribution IS NOT NEW.attribution
    OR OLD.answered IS NOT NEW.answered OR OLD.talk_seconds IS NOT NEW.talk_seconds
    OR OLD.tipjar_link_sent IS NOT NEW.tipjar_link_sent
    OR OLD.tipjar_payment_received IS NOT NEW.tipjar_payment_received)
BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = NEW.id AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_calls_deleting BEFORE DELETE ON dj_calls WHEN OLD.attribution IS NOT NULL BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = OLD.id AND length(click_id) = 16;
END;

-- A payment or refund, and a payment link's first open, move the click of their call.
CREATE TRIGGER funnel_payments_inserted AFTER INSERT ON payments BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = NEW.call_id AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_payments_updated AFTER UPDATE ON payments BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id IN (OLD.call_id, NEW.call_id) AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_payments_deleted AFTER DELETE ON payments BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = OLD.call_id AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_links_inserted AFTER INSERT ON payment_links WHEN NEW.opens > 0 BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = NEW.call_id AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_links_updated AFTER UPDATE ON payment_links
  WHEN (OLD.opens > 0) IS NOT (NEW.opens > 0) OR OLD.call_id IS NOT NEW.call_id
BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id IN (OLD.call_id, NEW.call_id) AND length(click_id) = 16;
END;
CREATE TRIGGER funnel_links_deleted AFTER DELETE ON payment_links WHEN OLD.opens > 0 BEGIN
  INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
  SELECT dj_profile_id, click_id FROM analytics_funnel_call_clicks
  WHERE call_id = OLD.call_id AND length(click_id) = 16;
END;

-- "Numbers shown" per UTC day, kept by triggers beside the quarter-hour counts.
CREATE TABLE numbers_shown_dj_days (
  dj_profile_id BLOB NOT NULL,
  day           INTEGER NOT NULL,
  shown         INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, day)
);
CREATE TABLE numbers_shown_platform_days (
  day   INTEGER PRIMARY KEY,
  shown INTEGER NOT NULL
);
CREATE TRIGGER numbers_shown_inserted AFTER INSERT ON numbers_shown BEGIN
  INSERT INTO numbers_shown_dj_days (dj_profile_id, day, shown)
  VALUES (NEW.dj_profile_id, NEW.bucket / 86400000000, NEW.shown)
  ON CONFLICT (dj_profile_id, day) DO UPDATE SET shown = shown + excluded.shown;
  INSERT INTO numbers_shown_platform_days (day, shown) VALUES (NEW.bucket / 86400000000, NEW.shown)
  ON CONFLICT (day) DO UPDATE SET shown = shown + excluded.shown;
END;
CREATE TRIGGER numbers_shown_updated AFTER UPDATE ON numbers_shown BEGIN
  INSERT INTO numbers_shown_dj_days (dj_profile_id, day, shown)
  VALUES (OLD.dj_profile_id, OLD.bucket / 86400000000, -OLD.shown)
  ON CONFLICT (dj_profile_id, day) DO UPDATE SET shown = shown + excluded.shown;
  INSERT INTO numbers_shown_platform_days (day, shown) VALUES (OLD.bucket / 86400000000, -OLD.shown)
  ON CONFLICT (day) DO UPDATE SET shown = shown + excluded.shown;
  INSERT INTO numbers_shown_dj_days (dj_profile_id, day, shown)
  VALUES (NEW.dj_profile_id, NEW.bucket / 86400000000, NEW.shown)
  ON CONFLICT (dj_profile_id, day) DO UPDATE SET shown = shown + excluded.shown;
  INSERT INTO numbers_shown_platform_days (day, shown) VALUES (NEW.bucket / 86400000000, NEW.shown)
  ON CONFLICT (day) DO UPDATE SET shown = shown + excluded.shown;
END;
CREATE TRIGGER numbers_shown_deleted AFTER DELETE ON numbers_shown BEGIN
  INSERT INTO numbers_shown_dj_days (dj_profile_id, day, shown)
  VALUES (OLD.dj_profile_id, OLD.bucket / 86400000000, -OLD.shown)
  ON CONFLICT (dj_profile_id, day) DO UPDATE SET shown = shown + excluded.shown;
  INSERT INTO numbers_shown_platform_days (day, shown) VALUES (OLD.bucket / 86400000000, -OLD.shown)
  ON CONFLICT (day) DO UPDATE SET shown = shown + excluded.shown;
END;
INSERT INTO numbers_shown_dj_days (dj_profile_id, day, shown)
SELECT dj_profile_id, bucket / 86400000000, sum(shown) FROM numbers_shown WHERE 1 GROUP BY 1, 2;
INSERT INTO numbers_shown_platform_days (day, shown)
SELECT bucket / 86400000000, sum(shown) FROM numbers_shown WHERE 1 GROUP BY 1;

-- Clicks made before this migration: the first fold computes their journeys.
INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
SELECT dj_profile_id, id FROM widget_clicks;
