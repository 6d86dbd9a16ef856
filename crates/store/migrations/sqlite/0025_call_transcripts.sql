-- Transcripts of answered calls (SPEC §12; see the PostgreSQL twin): final segments kept once
-- per (call, SequenceId), redacted, even before the call's row exists; `dj_calls.transcript`
-- is the assembled conversation (JSON list of {speaker, text}, capped at 64 KiB of text).
CREATE TABLE call_transcript_segments (
  call_sid    TEXT NOT NULL,
  sequence_id INTEGER NOT NULL,
  speaker     TEXT NOT NULL CHECK (speaker IN ('caller', 'dj')),
  text        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (call_sid, sequence_id)
);

ALTER TABLE dj_calls ADD COLUMN transcript TEXT;
