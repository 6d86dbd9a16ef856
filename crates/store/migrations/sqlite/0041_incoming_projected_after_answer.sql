-- Accepted `incoming` deliveries waiting to be projected into their calls (see the PostgreSQL
-- twin). SQLite records `incoming` with its whole call in one local transaction and never
-- writes this table; it exists so that both schemas stay one.
CREATE TABLE incoming_unprojected (
  event_id       BLOB PRIMARY KEY,
  call_id        BLOB NOT NULL,
  call_sid       TEXT NOT NULL,
  virtual_number TEXT,
  caller         TEXT,
  caller_name    TEXT,
  call_status    TEXT NOT NULL,
  answered       INTEGER NOT NULL,
  voicemail_left INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  high_from      INTEGER NOT NULL,
  low_from       INTEGER NOT NULL,
  attempts       INTEGER NOT NULL DEFAULT 0,
  last_error     TEXT
);
