-- Coarser per-DJ summaries (issue 9; the PostgreSQL file of the same name explains more).

CREATE TABLE analytics_dj_type_blocks (
  dj_profile_id        BLOB NOT NULL,
  block                INTEGER NOT NULL,
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
  PRIMARY KEY (dj_profile_id, block, event_type)
);

-- Per DJ and UTC day, every event type together: the day chart's figures.
CREATE TABLE analytics_dj_day_totals (
  dj_profile_id BLOB NOT NULL,
  day           INTEGER NOT NULL,
  calls         INTEGER NOT NULL,
  booked        INTEGER NOT NULL,
  answered      INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  PRIMARY KEY (dj_profile_id, day)
);

INSERT INTO analytics_dj_type_blocks (dj_profile_id, block, event_type, calls, booked, answered, voicemails, hot, warm, cold, duration_sum, with_duration, links_sent, payments_received, missed_texts, missed_text_payments, recordings, transcriptions, revenue_cents, platform_cut_cents, dj_share_cents)
SELECT dj_profile_id, day / 32, event_type, sum(calls), sum(booked), sum(answered), sum(voicemails), sum(hot), sum(warm), sum(cold), sum(duration_sum), sum(with_duration), sum(links_sent), sum(payments_received), sum(missed_texts), sum(missed_text_payments), sum(recordings), sum(transcriptions), sum(revenue_cents), sum(platform_cut_cents), sum(dj_share_cents)
FROM analytics_dj_days WHERE 1 GROUP BY 1, 2, 3;
INSERT INTO analytics_dj_day_totals (dj_profile_id, day, calls, booked, answered, revenue_cents)
SELECT dj_profile_id, day, sum(calls), sum(booked), sum(answered), sum(revenue_cents)
FROM analytics_dj_days WHERE 1 GROUP BY 1, 2;
