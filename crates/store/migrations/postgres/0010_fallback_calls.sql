-- Calls found afterwards in Twilio's call log (`djcalls reconcile`): the service was down and
-- Twilio connected them with the number's static fallback TwiML. They are stored with
-- source 'fallback'. The inline CHECK of 0001 carries PostgreSQL's generated name.
ALTER TABLE dj_calls DROP CONSTRAINT dj_calls_source_check;
ALTER TABLE dj_calls ADD CONSTRAINT dj_calls_source_check
  CHECK (source IN ('api', 'twilio', 'demo', 'fallback'));
