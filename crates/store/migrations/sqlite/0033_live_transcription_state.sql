-- Whether Real-Time Transcription of an answered call is running (see the PostgreSQL twin).
ALTER TABLE dj_calls ADD COLUMN live_transcription TEXT
  CHECK (live_transcription IN ('started', 'stopped'));
