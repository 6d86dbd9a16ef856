-- PostgreSQL's batched `incoming` became set-based (0040 there); SQLite records `incoming` on
-- the general path. What both schemas share: only calls logged by hand carry a
-- `logged_call_sid`, so the unique index needs no entry for the NULL of every webhook's call.
DROP INDEX dj_calls_logged_call_sid;
CREATE UNIQUE INDEX dj_calls_logged_call_sid ON dj_calls (dj_profile_id, logged_call_sid)
  WHERE logged_call_sid IS NOT NULL;
