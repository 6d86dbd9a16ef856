-- Every verified Twilio voice webhook, kept as an event (see the PostgreSQL twin).
CREATE TABLE call_events (
  id          BLOB PRIMARY KEY,
  call_sid    TEXT NOT NULL,
  dedupe_key  TEXT NOT NULL UNIQUE,
  event       TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX call_events_call ON call_events (call_sid, received_at);
