-- Transcripts of answered calls (SPEC §12). Twilio Real-Time Transcription posts each final
-- segment of the conversation separately, in any order and possibly twice: a segment is kept
-- once per (call, SequenceId), already redacted, even before the call's row exists (it is
-- applied when the call appears, like any early webhook). `dj_calls.transcript` is the
-- assembled conversation (JSON list of {speaker, text}, capped at 64 KiB of text), rebuilt from
-- the segments whenever one is added. Like call_events, segments are keyed by the CallSid and
-- carry no DJ: platform-only under RLS (webhooks run as `system`).
CREATE TABLE call_transcript_segments (
  call_sid    text NOT NULL,
  sequence_id bigint NOT NULL,
  speaker     text NOT NULL CHECK (speaker IN ('caller', 'dj')),
  text        text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (call_sid, sequence_id)
);

ALTER TABLE call_transcript_segments ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_transcript_segments FORCE ROW LEVEL SECURITY;
CREATE POLICY call_transcript_segments_platform ON call_transcript_segments
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));

-- A column of dj_calls, so its RLS policies already cover it.
ALTER TABLE dj_calls ADD COLUMN transcript text;
