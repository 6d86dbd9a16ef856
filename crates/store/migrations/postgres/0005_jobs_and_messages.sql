-- Durable jobs, the follow-up SMS claim, SMS messages and opt-outs (issue 4, SPEC §8).
--
-- jobs: an outbox in the same database. A job is enqueued in the same transaction as the
-- state change that causes it (`INSERT … ON CONFLICT (dedupe_key) DO NOTHING`), claimed with
-- one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`, and a `running`
-- job whose lease (`locked_until`) has passed is claimable again, which is how a crash or a
-- restart mid-job is survived. `attempts` counts claims and doubles as a fencing token.
CREATE TABLE jobs (
  id            uuid PRIMARY KEY,
  kind          text NOT NULL,
  payload       text NOT NULL,
  state         text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  integer NOT NULL CHECK (max_attempts >= 1),
  run_at        timestamptz NOT NULL,
  locked_until  timestamptz,
  locked_by     text,
  -- Never a phone number or a message body: an error kind and a short reason.
  last_error    text,
  dedupe_key    text NOT NULL UNIQUE,
  dj_profile_id uuid,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
-- What the claim scans: only live jobs, in due order.
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_dead ON jobs (updated_at DESC) WHERE state = 'dead';

-- "Follow-up sent" for a call, claimed before Twilio is asked, so no retry, duplicate or
-- restart can text twice: the primary key is the call.
--   claimed  — about to send (or crashed while sending: outcome unknown, never resent)
--   sent     — Twilio accepted it (message_sid)
--   unknown  — the request to Twilio timed out: it may have been sent; never resent
--   failed   — definitely not sent (Twilio refused it); a retry may claim it again
CREATE TABLE followups (
  call_id       uuid PRIMARY KEY,
  dj_profile_id uuid NOT NULL,
  caller_number text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('thanks', 'missed')),
  state         text NOT NULL CHECK (state IN ('claimed', 'sent', 'unknown', 'failed')),
  message_sid   text,
  claimed_at    timestamptz NOT NULL,
  sent_at       timestamptz,
  updated_at    timestamptz NOT NULL,
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id)
);
-- One follow-up per caller per DJ per 24 hours.
CREATE INDEX followups_caller ON followups (dj_profile_id, caller_number, claimed_at);

-- Texts we sent and texts leads sent to a DJ's number.
CREATE TABLE messages (
  id            uuid PRIMARY KEY,
  direction     text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  -- followup, missed, lead, opt_out, opt_in, help
  kind          text NOT NULL,
  message_sid   text UNIQUE,
  dj_profile_id uuid,
  call_id       uuid,
  from_number   text,
  to_number     text,
  body          text,
  status        text NOT NULL,
  -- Orders delivery states so a late "sent" never overwrites "delivered".
  status_rank   integer NOT NULL DEFAULT 0,
  error_code    integer,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX messages_profile_time ON messages (dj_profile_id, created_at DESC);
CREATE INDEX messages_call ON messages (call_id);

-- Numbers that asked not to be texted (STOP, or Twilio error 21610), platform-wide.
CREATE TABLE sms_opt_outs (
  phone_number text PRIMARY KEY,
  source       text NOT NULL,
  opted_out_at timestamptz NOT NULL
);

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_platform ON jobs
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));

ALTER TABLE followups ENABLE ROW LEVEL SECURITY;
ALTER TABLE followups FORCE ROW LEVEL SECURITY;
CREATE POLICY followups_tenant ON followups
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

-- Inbound texts to a number we do not know have no DJ: platform roles only see those.
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY messages_tenant ON messages
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

ALTER TABLE sms_opt_outs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sms_opt_outs FORCE ROW LEVEL SECURITY;
CREATE POLICY sms_opt_outs_platform ON sms_opt_outs
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
