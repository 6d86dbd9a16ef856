-- Concurrent incoming calls share one transaction (issue 8, "ingest at the database's pace").
--
-- djcalls_record_incoming (0011) made a new call's `incoming` one statement; under concurrent
-- load each still paid its own round trip and its own commit (a WAL flush). The store now
-- gathers the `incoming` deliveries that arrive while earlier ones are in flight and records
-- them with this function: one statement, one commit for the lot (group commit), each item
-- exactly as djcalls_record_incoming records it. Items come sorted by CallSid, so two batches
-- take their per-call advisory locks in the same order and cannot deadlock each other; the
-- general voice path holds one such lock per transaction. `item` numbers the input (1-based).
CREATE FUNCTION djcalls_record_incoming_batch(
  p_role text,
  p_call_sid text[],
  p_dedupe_key text[],
  p_event text[],
  p_at timestamptz[],
  p_event_id uuid[],
  p_call_id uuid[],
  p_virtual_number text[],
  p_caller text[],
  p_caller_name text[],
  p_call_status text[],
  p_answered boolean[],
  p_voicemail_left boolean[],
  p_high_from timestamptz[],
  p_low_from timestamptz[]
) RETURNS TABLE (
  item integer,
  outcome text,
  call_id uuid,
  owner uuid,
  dj_profile_id uuid,
  virtual_number text,
  real_phone_number text,
  dj_name text,
  dj_slug text
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_call_sid, 1), 0) LOOP
    RETURN QUERY
      SELECT i, r.outcome, r.call_id, r.owner, r.dj_profile_id, r.virtual_number,
             r.real_phone_number, r.dj_name, r.dj_slug
        FROM djcalls_record_incoming(p_role, p_call_sid[i], p_dedupe_key[i], p_event[i],
          p_at[i], p_event_id[i], p_call_id[i], p_virtual_number[i], p_caller[i],
          p_caller_name[i], p_call_status[i], p_answered[i], p_voicemail_left[i],
          p_high_from[i], p_low_from[i]) r;
  END LOOP;
END
$$;
