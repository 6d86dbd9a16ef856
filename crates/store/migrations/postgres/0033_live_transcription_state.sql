-- Whether Real-Time Transcription of an answered call is running (SPEC §12, §13): set to
-- `started` by Twilio's `transcription-started` callback and to `stopped` by `-stopped` or
-- `-error`, never back. While it is `started` and the call has no insights yet, the follow-up
-- text waits its bounded time for them (their language picks the text); a call whose
-- transcription never started, or has stopped, has nothing more to wait for.
-- A column of dj_calls, so its RLS policies already cover it.
ALTER TABLE dj_calls ADD COLUMN live_transcription text
  CHECK (live_transcription IN ('started', 'stopped'));
