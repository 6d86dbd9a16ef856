-- Every verified Twilio voice webhook, kept as an event: the call record is the fold of its
-- events (domain::voice), which makes duplicated and out-of-order deliveries harmless, keeps
-- events that arrive before the call is known, and gives each call its status timeline.
CREATE TABLE call_events (
  id          uuid PRIMARY KEY,
  call_sid    text NOT NULL,
  -- Which webhook, and a hash of its parameters: the same delivery twice is stored once.
  dedupe_key  text NOT NULL UNIQUE,
  event       text NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX call_events_call ON call_events (call_sid, received_at);

ALTER TABLE call_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_events FORCE ROW LEVEL SECURITY;
CREATE POLICY call_events_platform ON call_events
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
