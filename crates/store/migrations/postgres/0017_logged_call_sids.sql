-- Call-SID squatting (SPEC §11): a SID logged through the API was stored as `call_sid`, the
-- column Twilio's webhooks find a call by, so a DJ could log a SID that later arrived for
-- another DJ's number and capture that call. A logged SID now has its own column, which no
-- webhook reads; Twilio's webhooks decide a call's owner from the number called.
ALTER TABLE dj_calls ADD COLUMN logged_call_sid text;
CREATE UNIQUE INDEX dj_calls_logged_call_sid ON dj_calls (dj_profile_id, logged_call_sid);

-- Logged calls no webhook has touched yet give their SID back to the new column.
UPDATE dj_calls SET logged_call_sid = call_sid, call_sid = NULL
 WHERE source = 'api' AND call_sid IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM call_events e WHERE e.call_sid = dj_calls.call_sid);
