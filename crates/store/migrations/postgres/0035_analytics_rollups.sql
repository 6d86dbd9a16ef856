-- Analytics rollups (issue 9): SPEC §6 figures read from a few summary rows instead of every
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
  seq                  bigserial PRIMARY KEY,
  dj_profile_id        uuid NOT NULL,
  hour                 bigint NOT NULL,
  quarter              smallint NOT NULL,
  event_type           text NOT NULL,
  source               text NOT NULL,
  medium               text NOT NULL,
  campaign             text NOT NULL,
  calls                bigint NOT NULL DEFAULT 0,
  booked               bigint NOT NULL DEFAULT 0,
  answered             bigint NOT NULL DEFAULT 0,
  voicemails           bigint NOT NULL DEFAULT 0,
  hot                  bigint NOT NULL DEFAULT 0,
  warm                 bigint NOT NULL DEFAULT 0,
  cold                 bigint NOT NULL DEFAULT 0,
  duration_sum         bigint NOT NULL DEFAULT 0,
  with_duration        bigint NOT NULL DEFAULT 0,
  links_sent           bigint NOT NULL DEFAULT 0,
  payments_received    bigint NOT NULL DEFAULT 0,
  missed_texts         bigint NOT NULL DEFAULT 0,
  missed_text_payments bigint NOT NULL DEFAULT 0,
  recordings           bigint NOT NULL DEFAULT 0,
  transcriptions       bigint NOT NULL DEFAULT 0,
  revenue_cents        bigint NOT NULL DEFAULT 0,
  platform_cut_cents   bigint NOT NULL DEFAULT 0,
  dj_share_cents       bigint NOT NULL DEFAULT 0
);
CREATE INDEX analytics_deltas_dj_hour ON analytics_deltas (dj_profile_id, hour);
-- A queue: rows live about a second. Vacuum it by row count, not by its (tiny) size, so
-- platform-wide reads that scan it never scan a heap of dead rows.
ALTER TABLE analytics_deltas SET (autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000, autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 5000);

-- Per DJ, UTC day (days since 1970-01-01) and event type ('' for none): every figure.
CREATE TABLE analytics_dj_days (
  dj_profile_id        uuid NOT NULL,
  day                  bigint NOT NULL,
  event_type           text NOT NULL,
  calls                bigint NOT NULL,
  booked               bigint NOT NULL,
  answered             bigint NOT NULL,
  voicemails           bigint NOT NULL,
  hot                  bigint NOT NULL,
  warm                 bigint NOT NULL,
  cold                 bigint NOT NULL,
  duration_sum         bigint NOT NULL,
  with_duration        bigint NOT NULL,
  links_sent           bigint NOT NULL,
  payments_received    bigint NOT NULL,
  missed_texts         bigint NOT NULL,
  missed_text_payments bigint NOT NULL,
  recordings           bigint NOT NULL,
  transcriptions       bigint NOT NULL,
  revenue_cents        bigint NOT NULL,
  platform_cut_cents   bigint NOT NULL,
  dj_share_cents       bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, day, event_type)
);

-- The whole platform per UTC day and event type: the admin's figures without a row per DJ.
CREATE TABLE analytics_platform_days (
  day                  bigint NOT NULL,
  event_type           text NOT NULL,
  calls                bigint NOT NULL,
  booked               bigint NOT NULL,
  answered             bigint NOT NULL,
  voicemails           bigint NOT NULL,
  hot                  bigint NOT NULL,
  warm                 bigint NOT NULL,
  cold                 bigint NOT NULL,
  duration_sum         bigint NOT NULL,
  with_duration        bigint NOT NULL,
  links_sent           bigint NOT NULL,
  payments_received    bigint NOT NULL,
  missed_texts         bigint NOT NULL,
  missed_text_payments bigint NOT NULL,
  recordings           bigint NOT NULL,
  transcriptions       bigint NOT NULL,
  revenue_cents        bigint NOT NULL,
  platform_cut_cents   bigint NOT NULL,
  dj_share_cents       bigint NOT NULL,
  PRIMARY KEY (day, event_type)
);

-- Per DJ and 32-day block (day / 32): the top-DJ table over long ranges.
CREATE TABLE analytics_dj_blocks (
  dj_profile_id      uuid NOT NULL,
  block              bigint NOT NULL,
  calls              bigint NOT NULL,
  booked             bigint NOT NULL,
  revenue_cents      bigint NOT NULL,
  platform_cut_cents bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, block)
);

-- Per DJ and UTC hour, split by quarter of the hour: calls by local day in any zone.
CREATE TABLE analytics_dj_hours (
  dj_profile_id uuid NOT NULL,
  hour          bigint NOT NULL,
  calls_q0 bigint NOT NULL, calls_q1 bigint NOT NULL, calls_q2 bigint NOT NULL, calls_q3 bigint NOT NULL,
  answered_q0 bigint NOT NULL, answered_q1 bigint NOT NULL, answered_q2 bigint NOT NULL, answered_q3 bigint NOT NULL,
  booked_q0 bigint NOT NULL, booked_q1 bigint NOT NULL, booked_q2 bigint NOT NULL, booked_q3 bigint NOT NULL,
  revenue_q0 bigint NOT NULL, revenue_q1 bigint NOT NULL, revenue_q2 bigint NOT NULL, revenue_q3 bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, hour)
);

CREATE TABLE analytics_platform_hours (
  hour          bigint NOT NULL,
  calls_q0 bigint NOT NULL, calls_q1 bigint NOT NULL, calls_q2 bigint NOT NULL, calls_q3 bigint NOT NULL,
  answered_q0 bigint NOT NULL, answered_q1 bigint NOT NULL, answered_q2 bigint NOT NULL, answered_q3 bigint NOT NULL,
  booked_q0 bigint NOT NULL, booked_q1 bigint NOT NULL, booked_q2 bigint NOT NULL, booked_q3 bigint NOT NULL,
  revenue_q0 bigint NOT NULL, revenue_q1 bigint NOT NULL, revenue_q2 bigint NOT NULL, revenue_q3 bigint NOT NULL,
  PRIMARY KEY (hour)
);

-- Per DJ, UTC day and source (SPEC §15: utm_source/medium/campaign, '' when absent):
-- the revenue-by-source report.
CREATE TABLE analytics_dj_source_days (
  dj_profile_id uuid NOT NULL,
  day           bigint NOT NULL,
  source        text NOT NULL,
  medium        text NOT NULL,
  campaign      text NOT NULL,
  calls         bigint NOT NULL,
  answered      bigint NOT NULL,
  booked        bigint NOT NULL,
  paid          bigint NOT NULL,
  revenue_cents bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, day, source, medium, campaign)
);

CREATE TABLE analytics_platform_source_days (
  day           bigint NOT NULL,
  source        text NOT NULL,
  medium        text NOT NULL,
  campaign      text NOT NULL,
  calls         bigint NOT NULL,
  answered      bigint NOT NULL,
  booked        bigint NOT NULL,
  paid          bigint NOT NULL,
  revenue_cents bigint NOT NULL,
  PRIMARY KEY (day, source, medium, campaign)
);

-- A DJ sees only their own summaries; platform-wide ones only the platform.
ALTER TABLE analytics_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_deltas FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_deltas_tenant ON analytics_deltas
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_dj_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dj_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_dj_days_tenant ON analytics_dj_days
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_dj_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dj_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_dj_blocks_tenant ON analytics_dj_blocks
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_dj_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dj_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_dj_hours_tenant ON analytics_dj_hours
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_dj_source_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dj_source_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_dj_source_days_tenant ON analytics_dj_source_days
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_platform_source_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_platform_source_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_platform_source_days_platform ON analytics_platform_source_days
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE analytics_platform_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_platform_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_platform_days_platform ON analytics_platform_days
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE analytics_platform_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_platform_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_platform_hours_platform ON analytics_platform_hours
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));

-- The bucket of an instant.
CREATE FUNCTION djcalls_analytics_hour(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT floor(extract(epoch FROM t) / 3600)::bigint $$;
CREATE FUNCTION djcalls_analytics_quarter(t timestamptz) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$ SELECT (floor(extract(epoch FROM t) / 900)::bigint % 4)::smallint $$;

-- A call's source as SPEC §15 keys it ('' for absent): `direct` without a click, `google` /
-- `cpc` for a click with only a gclid.
CREATE FUNCTION djcalls_analytics_source_key(attribution text,
  OUT source text, OUT medium text, OUT campaign text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN attribution IS NULL THEN 'direct'
              WHEN f.us IS NULL AND f.g IS NOT NULL THEN 'google' ELSE coalesce(f.us, '') END,
         CASE WHEN attribution IS NULL THEN ''
              WHEN f.us IS NULL AND f.g IS NOT NULL THEN coalesce(f.um, 'cpc')
              ELSE coalesce(f.um, '') END,
         CASE WHEN attribution IS NULL THEN '' ELSE coalesce(f.uc, '') END
  FROM (SELECT nullif(a->>'utm_source', '') AS us, nullif(a->>'utm_medium', '') AS um,
               nullif(a->>'utm_campaign', '') AS uc, nullif(a->>'gclid', '') AS g
        FROM (SELECT attribution::json AS a) j) f
$$;

-- One call's contribution, times `sign`: its figures, its payments, its missed-call text.
CREATE FUNCTION djcalls_analytics_contribution(c dj_calls, sign bigint)
RETURNS TABLE (
  dj_profile_id uuid, hour bigint, quarter smallint, event_type text,
  source text, medium text, campaign text, calls bigint, booked bigint, answered bigint, voicemails bigint, hot bigint, warm bigint,
  cold bigint, duration_sum bigint, with_duration bigint, links_sent bigint,
  payments_received bigint, missed_texts bigint, missed_text_payments bigint, recordings bigint,
  transcriptions bigint, revenue_cents bigint, platform_cut_cents bigint, dj_share_cents bigint)
LANGUAGE sql STABLE AS $$
  SELECT c.dj_profile_id, djcalls_analytics_hour(c."timestamp"),
    djcalls_analytics_quarter(c."timestamp"), coalesce(c.event_type, ''),
    k.source, k.medium, k.campaign,
    sign,
    sign * (CASE WHEN c.is_booked THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.answered THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.voicemail_left THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.lead_score = 'hot' THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.lead_score = 'warm' THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.lead_score = 'cold' THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.call_duration_seconds > 0 THEN c.call_duration_seconds ELSE 0 END),
    sign * (CASE WHEN c.call_duration_seconds > 0 THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.tipjar_link_sent THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END),
    sign * (CASE WHEN m.sent THEN 1 ELSE 0 END),
    sign * (CASE WHEN m.sent AND c.tipjar_payment_received THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.recording_sid IS NOT NULL THEN 1 ELSE 0 END),
    sign * (CASE WHEN c.transcription_status = 'completed' THEN 1 ELSE 0 END),
    sign * p.amount, sign * p.cut, sign * p.share
  FROM (SELECT CAST(coalesce(sum(amount_cents), 0) AS BIGINT) AS amount,
               CAST(coalesce(sum(platform_cut_cents), 0) AS BIGINT) AS cut,
               CAST(coalesce(sum(dj_share_cents), 0) AS BIGINT) AS share
        FROM payments WHERE call_id = c.id) p,
       (SELECT EXISTS (SELECT 1 FROM followups f WHERE f.call_id = c.id
                       AND f.kind = 'missed' AND f.state = 'sent') AS sent) m,
       djcalls_analytics_source_key(c.attribution) k
$$;

-- Every call's contribution as it stands: the truth `analytics verify` and `rebuild` read.
CREATE VIEW analytics_call_measures AS
  SELECT c.id AS call_id, x.* FROM dj_calls c, djcalls_analytics_contribution(c, 1) x;

CREATE FUNCTION djcalls_analytics_calls_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
      campaign, calls, booked,
      answered, voicemails, hot, warm, cold, duration_sum, with_duration, links_sent,
      payments_received, missed_texts, missed_text_payments, recordings, transcriptions,
      revenue_cents, platform_cut_cents, dj_share_cents)
    SELECT x.* FROM new_rows n, djcalls_analytics_contribution(n, 1) x;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Only calls whose figures changed: a note or a transcript edit writes nothing here.
    INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
      campaign, calls, booked,
      answered, voicemails, hot, warm, cold, duration_sum, with_duration, links_sent,
      payments_received, missed_texts, missed_text_payments, recordings, transcriptions,
      revenue_cents, platform_cut_cents, dj_share_cents)
    SELECT x.* FROM old_rows o JOIN new_rows n ON n.id = o.id,
      LATERAL (SELECT * FROM djcalls_analytics_contribution(o, -1)
               UNION ALL SELECT * FROM djcalls_analytics_contribution(n, 1)) x
    WHERE (o.dj_profile_id, o."timestamp", o.event_type, o.is_booked, o.answered,
           o.voicemail_left, o.lead_score, o.call_duration_seconds, o.tipjar_link_sent,
           o.tipjar_payment_received, o.recording_sid IS NULL, o.transcription_status,
           o.attribution)
      IS DISTINCT FROM
          (n.dj_profile_id, n."timestamp", n.event_type, n.is_booked, n.answered,
           n.voicemail_left, n.lead_score, n.call_duration_seconds, n.tipjar_link_sent,
           n.tipjar_payment_received, n.recording_sid IS NULL, n.transcription_status,
           n.attribution);
  ELSE
    INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
      campaign, calls, booked,
      answered, voicemails, hot, warm, cold, duration_sum, with_duration, links_sent,
      payments_received, missed_texts, missed_text_payments, recordings, transcriptions,
      revenue_cents, platform_cut_cents, dj_share_cents)
    SELECT x.* FROM old_rows o, djcalls_analytics_contribution(o, -1) x;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_calls_inserted AFTER INSERT ON dj_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_analytics_calls_changed();
CREATE TRIGGER analytics_calls_updated AFTER UPDATE ON dj_calls
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_analytics_calls_changed();
CREATE TRIGGER analytics_calls_deleted AFTER DELETE ON dj_calls
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_analytics_calls_changed();

-- A payment or refund moves revenue in its call's bucket (row triggers: payments arrive one
-- webhook at a time).
CREATE FUNCTION djcalls_analytics_payment_delta(call uuid, sign bigint, amount bigint,
  cut bigint, share bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, revenue_cents, platform_cut_cents, dj_share_cents)
  SELECT c.dj_profile_id, djcalls_analytics_hour(c."timestamp"),
    djcalls_analytics_quarter(c."timestamp"), coalesce(c.event_type, ''),
    k.source, k.medium, k.campaign, sign * amount, sign * cut, sign * share
  FROM dj_calls c, djcalls_analytics_source_key(c.attribution) k WHERE c.id = call
$$;

CREATE FUNCTION djcalls_analytics_payments_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM djcalls_analytics_payment_delta(OLD.call_id, -1, OLD.amount_cents,
      OLD.platform_cut_cents, OLD.dj_share_cents);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM djcalls_analytics_payment_delta(NEW.call_id, 1, NEW.amount_cents,
      NEW.platform_cut_cents, NEW.dj_share_cents);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_payments_changed AFTER INSERT OR UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION djcalls_analytics_payments_changed();

-- A missed-call text counts once it is sent (and towards a payment that followed it).
CREATE FUNCTION djcalls_analytics_missed_delta(call uuid, sign bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
    campaign, missed_texts, missed_text_payments)
  SELECT c.dj_profile_id, djcalls_analytics_hour(c."timestamp"),
    djcalls_analytics_quarter(c."timestamp"), coalesce(c.event_type, ''),
    k.source, k.medium, k.campaign,
    sign, sign * (CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END)
  FROM dj_calls c, djcalls_analytics_source_key(c.attribution) k WHERE c.id = call
$$;

CREATE FUNCTION djcalls_analytics_followups_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was_sent boolean := false;
  is_sent boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    was_sent := OLD.kind = 'missed' AND OLD.state = 'sent';
  END IF;
  IF TG_OP <> 'DELETE' THEN
    is_sent := NEW.kind = 'missed' AND NEW.state = 'sent';
  END IF;
  IF was_sent AND NOT is_sent THEN
    PERFORM djcalls_analytics_missed_delta(OLD.call_id, -1);
  ELSIF is_sent AND NOT was_sent THEN
    PERFORM djcalls_analytics_missed_delta(NEW.call_id, 1);
  ELSIF was_sent AND is_sent AND OLD.call_id <> NEW.call_id THEN
    PERFORM djcalls_analytics_missed_delta(OLD.call_id, -1);
    PERFORM djcalls_analytics_missed_delta(NEW.call_id, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_followups_changed AFTER INSERT OR UPDATE OR DELETE ON followups
  FOR EACH ROW EXECUTE FUNCTION djcalls_analytics_followups_changed();
