-- Coarser per-DJ summaries (issue 9): a DJ's all-time figures read a few rows per event type
-- and 32-day block instead of one per day and event type, and the day chart reads one row per
-- day. Kept by the folder like every other summary (`store/src/analytics/fold.rs`); filled here
-- from the day table (deltas not yet folded reach them with the next fold).

-- Per DJ, 32-day block (day / 32) and event type: every figure.
CREATE TABLE analytics_dj_type_blocks (
  dj_profile_id        uuid NOT NULL,
  block                bigint NOT NULL,
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
  PRIMARY KEY (dj_profile_id, block, event_type)
);

-- Per DJ and UTC day, every event type together: the day chart's figures.
CREATE TABLE analytics_dj_day_totals (
  dj_profile_id uuid NOT NULL,
  day           bigint NOT NULL,
  calls         bigint NOT NULL,
  booked        bigint NOT NULL,
  answered      bigint NOT NULL,
  revenue_cents bigint NOT NULL,
  PRIMARY KEY (dj_profile_id, day)
);

ALTER TABLE analytics_dj_type_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dj_type_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_dj_type_blocks_tenant ON analytics_dj_type_blocks
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
ALTER TABLE analytics_dj_day_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dj_day_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_dj_day_totals_tenant ON analytics_dj_day_totals
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

INSERT INTO analytics_dj_type_blocks (dj_profile_id, block, event_type, calls, booked, answered, voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received, missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents, platform_cut_cents, dj_share_cents)
SELECT dj_profile_id, day / 32, event_type, sum(calls), sum(booked), sum(answered), sum(voicemails), sum(hot), sum(warm), sum(cold), sum(duration_sum), sum(with_duration), sum(links_sent), sum(payments_received), sum(missed_texts), sum(missed_text_payments), sum(recordings), sum(transcriptions), sum(revenue_cents), sum(platform_cut_cents), sum(dj_share_cents)
FROM analytics_dj_days GROUP BY 1, 2, 3;
INSERT INTO analytics_dj_day_totals (dj_profile_id, day, calls, booked, answered, revenue_cents)
SELECT dj_profile_id, day, sum(calls), sum(booked), sum(answered), sum(revenue_cents)
FROM analytics_dj_days GROUP BY 1, 2;
