-- Call quality (SPEC §12) from Twilio Voice Insights' call summary, read by a job after the
-- call ended: who hung up (`caller`, `dj`, `unknown`), the post-dial delay, and the media
-- figures where Twilio measured them. All null until the summary was read. Columns rather than
-- JSON so the admin console's platform figures are one plain aggregate on both databases.
-- Columns of dj_calls, so its RLS policies already cover them.
ALTER TABLE dj_calls ADD COLUMN quality_disconnected_by text
  CHECK (quality_disconnected_by IN ('caller', 'dj', 'unknown'));
ALTER TABLE dj_calls ADD COLUMN quality_post_dial_delay_ms bigint;
ALTER TABLE dj_calls ADD COLUMN quality_mos double precision;
ALTER TABLE dj_calls ADD COLUMN quality_jitter_ms double precision;
ALTER TABLE dj_calls ADD COLUMN quality_packet_loss_percent double precision;
