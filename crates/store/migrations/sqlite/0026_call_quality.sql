-- Call quality (SPEC §12; see the PostgreSQL twin): who hung up, the post-dial delay and the
-- media figures from Twilio Voice Insights' call summary, null until it was read.
ALTER TABLE dj_calls ADD COLUMN quality_disconnected_by TEXT
  CHECK (quality_disconnected_by IN ('caller', 'dj', 'unknown'));
ALTER TABLE dj_calls ADD COLUMN quality_post_dial_delay_ms INTEGER;
ALTER TABLE dj_calls ADD COLUMN quality_mos REAL;
ALTER TABLE dj_calls ADD COLUMN quality_jitter_ms REAL;
ALTER TABLE dj_calls ADD COLUMN quality_packet_loss_percent REAL;
