-- Analytics rollups (issue 9; the PostgreSQL file of the same name explains more): SPEC §6 figures read from a few summary rows instead of every
-- call. Every change to a call, a payment or a missed-call follow-up writes its contribution's
-- change into `analytics_deltas` in the same transaction, from triggers, so no write path can
-- forget it. Nothing but the folder (`Store::fold_analytics`, one at a time) updates the
-- summary tables, so concurrent webhooks never wait on a shared summary row. Readers add the
-- deltas not yet folded, in the same statement, so figures are exact the moment a write commits.
--
-- Buckets are UTC hours (and the quarter of the hour), so local days of every IANA zone,
-- +05:30 and +05:45 included, are sums of whole buckets (`store/src/analytics/`).

-- One call's contribution to every figure: what the summary tables hold, per bucket.
CREATE TABLE analytics_deltas (
  seq                  INTEGER PRIMARY KEY,
  dj_profile_id        BLOB NOT NULL,
  hour                 INTEGER NOT NULL,
  quarter              INTEGER NOT NULL,
  event_type           TEXT NOT NULL,
  source               TEXT NOT NULL,
  medium               TEXT NOT NULL,
  campaign             TEXT NOT NULL,
  calls                INTEGER NOT NULL DEFAULT 0,
  booked               INTEGER NOT NULL DEFAULT 0,
  answered             INTEGER NOT NULL DEFAULT 0,
  voicemails           INTEGER NOT NULL DEFAULT 0,
  hot                  INTEGER NOT NULL DEFAULT 0,
  warm                 INTEGER NOT NULL DEFAULT 0,
  cold                 INTEGER NOT NULL DEFAULT 0,
  duration_sum         INTEGER NOT NULL DEFAULT 0,
  with_duration        INTEGER NOT NULL DEFAULT 0,
  links_sent           INTEGER NOT NULL DEFAULT 0,
  payments_received    INTEGER NOT NULL DEFAULT 0,
  missed_texts         INTEGER NOT NULL DEFAULT 0,
  missed_text_payments INTEGER NOT NULL DEFAULT 0,
  recordings           INTEGER NOT NULL DEFAULT 0,
  transcriptions       INTEGER NOT NULL DEFAULT 0,
  revenue_cents        INTEGER NOT NULL DEFAULT 0,
  platform_cut_cents   INTEGER NOT NULL DEFAULT 0,
  dj_share_cents       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX analytics_deltas_dj_hour ON analytics_deltas (dj_profile_id, hour);

-- Per DJ, UTC day (days since 1970-01-01) and event type ('' for none): every figure.
CREATE TABLE analytics_dj_days (
  dj_profile_id        BLOB NOT NULL,
  day                  INTEGER NOT NULL,
  event_type           TEXT NOT NULL,
  calls                INTEGER NOT NULL,
  booked               INTEGER NOT NULL,
  answered             INTEGER NOT NULL,
  voicemails           INTEGER NOT NULL,
  hot                  INTEGER NOT NULL,
  warm                 INTEGER NOT NULL,
  cold                 INTEGER NOT NULL,
  duration_sum         INTEGER NOT NULL,
  with_duration        INTEGER NOT NULL,
  links_sent           INTEGER NOT NULL,
  payments_received    INTEGER NOT NULL,
  missed_texts         INTEGER NOT NULL,
  missed_text_payments INTEGER NOT NULL,
  recordings           INTEGER NOT NULL,
  transcriptions       INTEGER NOT NULL,
  revenue_cents        INTEGER NOT NULL,
  platform_cut_cents   INTEGER NOT NULL,
  dj_share_cents       INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, day, event_type)
);

-- The whole platform per UTC day and event type: the admin's figures without a row per DJ.
CREATE TABLE analytics_platform_days (
  day                  INTEGER NOT NULL,
  event_type           TEXT NOT NULL,
  calls                INTEGER NOT NULL,
  booked               INTEGER NOT NULL,
  answered             INTEGER NOT NULL,
  voicemails           INTEGER NOT NULL,
  hot                  INTEGER NOT NULL,
  warm                 INTEGER NOT NULL,
  cold                 INTEGER NOT NULL,
  duration_sum         INTEGER NOT NULL,
  with_duration        INTEGER NOT NULL,
  links_sent           INTEGER NOT NULL,
  payments_received    INTEGER NOT NULL,
  missed_texts         INTEGER NOT NULL,
  missed_text_payments INTEGER NOT NULL,
  recordings           INTEGER NOT NULL,
  transcriptions       INTEGER NOT NULL,
  revenue_cents        INTEGER NOT NULL,
  platform_cut_cents   INTEGER NOT NULL,
  dj_share_cents       INTEGER NOT NULL,
  PRIMARY KEY (day, event_type)
);

-- Per DJ and 32-day block (day / 32): the top-DJ table over long ranges.
CREATE TABLE analytics_dj_blocks (
  dj_profile_id      BLOB NOT NULL,
  block              INTEGER NOT NULL,
  calls              INTEGER NOT NULL,
  booked             INTEGER NOT NULL,
  revenue_cents      INTEGER NOT NULL,
  platform_cut_cents INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, block)
);

-- Per DJ and UTC hour, split by quarter of the hour: calls by local day in any zone.
CREATE TABLE analytics_dj_hours (
  dj_profile_id BLOB NOT NULL,
  hour          INTEGER NOT NULL,
  calls_q0 INTEGER NOT NULL, calls_q1 INTEGER NOT NULL, calls_q2 INTEGER NOT NULL, calls_q3 INTEGER NOT NULL,
  answered_q0 INTEGER NOT NULL, answered_q1 INTEGER NOT NULL, answered_q2 INTEGER NOT NULL, answered_q3 INTEGER NOT NULL,
  booked_q0 INTEGER NOT NULL, booked_q1 INTEGER NOT NULL, booked_q2 INTEGER NOT NULL, booked_q3 INTEGER NOT NULL,
  revenue_q0 INTEGER NOT NULL, revenue_q1 INTEGER NOT NULL, revenue_q2 INTEGER NOT NULL, revenue_q3 INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, hour)
);

CREATE TABLE analytics_platform_hours (
  hour          INTEGER NOT NULL,
  calls_q0 INTEGER NOT NULL, calls_q1 INTEGER NOT NULL, calls_q2 INTEGER NOT NULL, calls_q3 INTEGER NOT NULL,
  answered_q0 INTEGER NOT NULL, answered_q1 INTEGER NOT NULL, answered_q2 INTEGER NOT NULL, answered_q3 INTEGER NOT NULL,
  booked_q0 INTEGER NOT NULL, booked_q1 INTEGER NOT NULL, booked_q2 INTEGER NOT NULL, booked_q3 INTEGER NOT NULL,
  revenue_q0 INTEGER NOT NULL, revenue_q1 INTEGER NOT NULL, revenue_q2 INTEGER NOT NULL, revenue_q3 INTEGER NOT NULL,
  PRIMARY KEY (hour)
);

-- Per DJ, UTC day and source (SPEC §15: utm_source/medium/campaign, '' when absent):
-- the revenue-by-source report.
CREATE TABLE analytics_dj_source_days (
  dj_profile_id BLOB NOT NULL,
  day           INTEGER NOT NULL,
  source        TEXT NOT NULL,
  medium        TEXT NOT NULL,
  campaign      TEXT NOT NULL,
  calls         INTEGER NOT NULL,
  answered      INTEGER NOT NULL,
  booked        INTEGER NOT NULL,
  paid          INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, day, source, medium, campaign)
);

CREATE TABLE analytics_platform_source_days (
  day           INTEGER NOT NULL,
  source        TEXT NOT NULL,
  medium        TEXT NOT NULL,
  campaign      TEXT NOT NULL,
  calls         INTEGER NOT NULL,
  answered      INTEGER NOT NULL,
  booked        INTEGER NOT NULL,
  paid          INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  PRIMARY KEY (day, source, medium, campaign)
);


-- Every call's contribution as it stands: what triggers add and subtract, and the truth
-- `analytics verify` and `rebuild` read. Hours and quarters of INTEGER microseconds; the
-- source as SPEC §15 keys it ('' for absent).
CREATE VIEW analytics_call_measures AS
  SELECT c.id AS call_id, c.dj_profile_id, c."timestamp" / 3600000000 AS hour,
    (c."timestamp" / 900000000) % 4 AS quarter, coalesce(c.event_type, '') AS event_type,
    CASE WHEN c.attribution IS NULL THEN 'direct' WHEN nullif(json_extract(c.attribution, '$.utm_source'), '') IS NULL AND nullif(json_extract(c.attribution, '$.gclid'), '') IS NOT NULL THEN 'google' ELSE coalesce(nullif(json_extract(c.attribution, '$.utm_source'), ''), '') END AS source,
    CASE WHEN c.attribution IS NULL THEN '' WHEN nullif(json_extract(c.attribution, '$.utm_source'), '') IS NULL AND nullif(json_extract(c.attribution, '$.gclid'), '') IS NOT NULL THEN coalesce(nullif(json_extract(c.attribution, '$.utm_medium'), ''), 'cpc') ELSE coalesce(nullif(json_extract(c.attribution, '$.utm_medium'), ''), '') END AS medium,
    CASE WHEN c.attribution IS NULL THEN '' ELSE coalesce(nullif(json_extract(c.attribution, '$.utm_campaign'), ''), '') END AS campaign,
    1 AS calls,
    CASE WHEN c.is_booked THEN 1 ELSE 0 END AS booked,
    CASE WHEN c.answered THEN 1 ELSE 0 END AS answered,
    CASE WHEN c.voicemail_left THEN 1 ELSE 0 END AS voicemails,
    CASE WHEN c.lead_score = 'hot' THEN 1 ELSE 0 END AS hot,
    CASE WHEN c.lead_score = 'warm' THEN 1 ELSE 0 END AS warm,
    CASE WHEN c.lead_score = 'cold' THEN 1 ELSE 0 END AS cold,
    CASE WHEN c.call_duration_seconds > 0 THEN c.call_duration_seconds ELSE 0 END AS duration_sum,
    CASE WHEN c.call_duration_seconds > 0 THEN 1 ELSE 0 END AS with_duration,
    CASE WHEN c.tipjar_link_sent THEN 1 ELSE 0 END AS links_sent,
    CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END AS payments_received,
    CASE WHEN m.call_id IS NOT NULL THEN 1 ELSE 0 END AS missed_texts,
    CASE WHEN m.call_id IS NOT NULL AND c.tipjar_payment_received THEN 1 ELSE 0 END AS missed_text_payments,
    CASE WHEN c.recording_sid IS NOT NULL THEN 1 ELSE 0 END AS recordings,
    CASE WHEN c.transcription_status = 'completed' THEN 1 ELSE 0 END AS transcriptions,
    coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.call_id = c.id), 0) AS revenue_cents,
    coalesce((SELECT sum(p.platform_cut_cents) FROM payments p WHERE p.call_id = c.id), 0) AS platform_cut_cents,
    coalesce((SELECT sum(p.dj_share_cents) FROM payments p WHERE p.call_id = c.id), 0) AS dj_share_cents
  FROM dj_calls c
  LEFT JOIN followups m ON m.call_id = c.id AND m.kind = 'missed' AND m.state = 'sent';

-- A call's figures: added when it is inserted, subtracted before a change to them and added
-- after it, subtracted before it is deleted (SQLite has row triggers only).
CREATE TRIGGER analytics_calls_inserted AFTER INSERT ON dj_calls BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium, campaign, calls, booked, answered,
    voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received,
    missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents,
    platform_cut_cents, dj_share_cents)
  SELECT dj_profile_id, hour, quarter, event_type, source, medium, campaign, calls, booked, answered,
    voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received,
    missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents,
    platform_cut_cents, dj_share_cents
  FROM analytics_call_measures WHERE call_id = NEW.id;
END;
CREATE TRIGGER analytics_calls_updating BEFORE UPDATE ON dj_calls
  WHEN OLD.dj_profile_id IS NOT NEW.dj_profile_id
    OR OLD."timestamp" IS NOT NEW."timestamp"
    OR OLD.event_type IS NOT NEW.event_type
    OR OLD.is_booked IS NOT NEW.is_booked
    OR OLD.answered IS NOT NEW.answered
    OR OLD.voicemail_left IS NOT NEW.voicemail_left
    OR OLD.lead_score IS NOT NEW.lead_score
    OR OLD.call_duration_seconds IS NOT NEW.call_duration_seconds
    OR OLD.tipjar_link_sent IS NOT NEW.tipjar_link_sent
    OR OLD.tipjar_payment_received IS NOT NEW.tipjar_payment_received
    OR OLD.recording_sid IS NOT NEW.recording_sid
    OR OLD.transcription_status IS NOT NEW.transcription_status
    OR OLD.attribution IS NOT NEW.attribution
BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium, campaign, calls, booked, answered,
    voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received,
    missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents,
    platform_cut_cents, dj_share_cents)
  SELECT dj_profile_id, hour, quarter, event_type, source, medium, campaign, -calls, -booked,
    -answered, -voicemails, -hot, -warm, -cold, -duration_sum, -with_duration, -links_sent,
    -payments_received, -missed_texts, -missed_text_payments, -recordings, -transcriptions,
    -revenue_cents, -platform_cut_cents, -dj_share_cents
  FROM analytics_call_measures WHERE call_id = OLD.id;
END;
CREATE TRIGGER analytics_calls_updated AFTER UPDATE ON dj_calls
  WHEN OLD.dj_profile_id IS NOT NEW.dj_profile_id
    OR OLD."timestamp" IS NOT NEW."timestamp"
    OR OLD.event_type IS NOT NEW.event_type
    OR OLD.is_booked IS NOT NEW.is_booked
    OR OLD.answered IS NOT NEW.answered
    OR OLD.voicemail_left IS NOT NEW.voicemail_left
    OR OLD.lead_score IS NOT NEW.lead_score
    OR OLD.call_duration_seconds IS NOT NEW.call_duration_seconds
    OR OLD.tipjar_link_sent IS NOT NEW.tipjar_link_sent
    OR OLD.tipjar_payment_received IS NOT NEW.tipjar_payment_received
    OR OLD.recording_sid IS NOT NEW.recording_sid
    OR OLD.transcription_status IS NOT NEW.transcription_status
    OR OLD.attribution IS NOT NEW.attribution
BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium, campaign, calls, booked, answered,
    voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received,
    missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents,
    platform_cut_cents, dj_share_cents)
  SELECT dj_profile_id, hour, quarter, event_type, source, medium, campaign, calls, booked, answered,
    voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received,
    missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents,
    platform_cut_cents, dj_share_cents
  FROM analytics_call_measures WHERE call_id = NEW.id;
END;
CREATE TRIGGER analytics_calls_deleting BEFORE DELETE ON dj_calls BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium, campaign, calls, booked, answered,
    voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received,
    missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents,
    platform_cut_cents, dj_share_cents)
  SELECT dj_profile_id, hour, quarter, event_type, source, medium, campaign, -calls, -booked,
    -answered, -voicemails, -hot, -warm, -cold, -duration_sum, -with_duration, -links_sent,
    -payments_received, -missed_texts, -missed_text_payments, -recordings, -transcriptions,
    -revenue_cents, -platform_cut_cents, -dj_share_cents
  FROM analytics_call_measures WHERE call_id = OLD.id;
END;

-- A payment or refund moves revenue in its call's bucket.
CREATE TRIGGER analytics_payments_inserted AFTER INSERT ON payments BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, revenue_cents, platform_cut_cents, dj_share_cents)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, NEW.amount_cents, NEW.platform_cut_cents, NEW.dj_share_cents
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = NEW.call_id;
END;
CREATE TRIGGER analytics_payments_updated AFTER UPDATE ON payments BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, revenue_cents, platform_cut_cents, dj_share_cents)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, -OLD.amount_cents, -OLD.platform_cut_cents, -OLD.dj_share_cents
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = OLD.call_id;
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, revenue_cents, platform_cut_cents, dj_share_cents)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, NEW.amount_cents, NEW.platform_cut_cents, NEW.dj_share_cents
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = NEW.call_id;
END;
CREATE TRIGGER analytics_payments_deleted AFTER DELETE ON payments BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, revenue_cents, platform_cut_cents, dj_share_cents)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, -OLD.amount_cents, -OLD.platform_cut_cents, -OLD.dj_share_cents
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = OLD.call_id;
END;

-- A missed-call text counts once it is sent (and towards a payment that followed it).
CREATE TRIGGER analytics_followups_inserted AFTER INSERT ON followups WHEN (NEW.kind = 'missed' AND NEW.state = 'sent') BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, missed_texts, missed_text_payments)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, 1, (CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END)
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = NEW.call_id;
END;
CREATE TRIGGER analytics_followups_updated AFTER UPDATE ON followups
  WHEN (OLD.kind = 'missed' AND OLD.state = 'sent') IS NOT (NEW.kind = 'missed' AND NEW.state = 'sent') OR OLD.call_id IS NOT NEW.call_id
BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, missed_texts, missed_text_payments)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, -1, -(CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END)
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = OLD.call_id AND (OLD.kind = 'missed' AND OLD.state = 'sent');
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, missed_texts, missed_text_payments)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, 1, (CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END)
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = NEW.call_id AND (NEW.kind = 'missed' AND NEW.state = 'sent');
END;
CREATE TRIGGER analytics_followups_deleted AFTER DELETE ON followups WHEN (OLD.kind = 'missed' AND OLD.state = 'sent') BEGIN
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, missed_texts, missed_text_payments)
  SELECT c.dj_profile_id, c."timestamp" / 3600000000, (c."timestamp" / 900000000) % 4,
    coalesce(c.event_type, ''), k.source, k.medium, k.campaign, -1, -(CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END)
  FROM dj_calls c JOIN analytics_call_measures k ON k.call_id = c.id WHERE c.id = OLD.call_id;
END;
