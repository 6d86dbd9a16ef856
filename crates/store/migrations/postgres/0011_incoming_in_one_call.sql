-- The incoming-call webhook in one round trip (issue 8, "ingest at the database's pace").
--
-- `incoming` is the hot path: the caller hears silence until it answers. Before this function
-- it took two transactions and ~14 round trips (routing lookup; then lock, append the event,
-- re-read the call's events, look up the owner, fetch candidate clicks, upsert the call). For
-- the common case — the first delivery of a new call — this function does all of it in one
-- statement, so one round trip and one commit:
--
--   1. the RLS identity (system) and, when DJCALLS_DB_APP_ROLE is set, the role;
--   2. the per-call advisory lock every voice delivery takes (per-call ordering holds);
--   3. the routing answer the TwiML needs (the number's DJ and real phone);
--   4. if the call already has events (a retry, or a status callback that overtook it) nothing
--      is written and `outcome = 'refold'`: the caller re-runs the general path, which folds all
--      of the call's events in Rust (store/src/voice/mod.rs);
--   5. otherwise the event is appended and, when the number is assigned, the call row created
--      with the facts the caller folded from this one event (the fold stays in Rust) and the
--      attribution chosen by the rule of djcalls_domain::attribution (the window starts are
--      computed from its constants and passed in). store/tests/store/incoming.rs checks this SQL against that rule.
CREATE FUNCTION djcalls_record_incoming(
  p_role text,
  p_call_sid text,
  p_dedupe_key text,
  p_event text,
  p_at timestamptz,
  p_event_id uuid,
  p_call_id uuid,
  p_virtual_number text,
  p_caller text,
  p_caller_name text,
  p_call_status text,
  p_answered boolean,
  p_voicemail_left boolean,
  p_high_from timestamptz,
  p_low_from timestamptz
) RETURNS TABLE (
  outcome text,
  call_id uuid,
  owner uuid,
  dj_profile_id uuid,
  virtual_number text,
  real_phone_number text,
  dj_name text,
  dj_slug text
) LANGUAGE plpgsql
-- These lookups want one generic plan whatever the session says: re-planning every statement
-- on every call (force_custom_plan, which dashboard reads ask for, store/src/tx.rs) was most
-- of PostgreSQL's CPU under load when connections used it (measured with perf).
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_owner uuid;
  v_click widget_clicks%ROWTYPE;
  v_confidence text;
  v_attribution text;
BEGIN
  PERFORM set_config('app.role', 'system', true), set_config('app.dj_profile_ids', '', true);
  IF p_role IS NOT NULL THEN
    PERFORM set_config('role', p_role, true);
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext(p_call_sid));

  SELECT n.dj_profile_id, n.virtual_number, n.real_phone_number, p.dj_name, p.dj_slug
    INTO dj_profile_id, virtual_number, real_phone_number, dj_name, dj_slug
    FROM dj_virtual_numbers n JOIN dj_profiles p ON p.id = n.dj_profile_id
   WHERE n.virtual_number = p_virtual_number AND n.state = 'assigned' AND n.is_active
     AND n.real_phone_number IS NOT NULL;

  IF EXISTS (SELECT 1 FROM call_events e WHERE e.call_sid = p_call_sid)
     OR EXISTS (SELECT 1 FROM dj_calls c WHERE c.call_sid = p_call_sid) THEN
    outcome := 'refold';
    RETURN NEXT;
    RETURN;
  END IF;

  INSERT INTO call_events (id, call_sid, dedupe_key, event, received_at)
  VALUES (p_event_id, p_call_sid, p_dedupe_key, p_event, p_at);

  SELECT n.dj_profile_id INTO v_owner FROM dj_virtual_numbers n
   WHERE n.virtual_number = p_virtual_number AND n.state = 'assigned';
  owner := v_owner;
  IF v_owner IS NULL THEN
    outcome := 'recorded';
    RETURN NEXT;
    RETURN;
  END IF;

  -- djcalls_domain::attribution: the newest click in [low_from, at]; high when it is not older
  -- than high_from and no other visitor clicked since high_from, low otherwise.
  SELECT * INTO v_click FROM widget_clicks c
   WHERE c.dj_profile_id = v_owner AND c.clicked_at >= p_low_from AND c.clicked_at <= p_at
   ORDER BY c.clicked_at DESC, c.id DESC LIMIT 1;
  IF FOUND THEN
    IF v_click.clicked_at < p_high_from THEN
      v_confidence := 'low';
    ELSIF EXISTS (
      SELECT 1 FROM widget_clicks c
       WHERE c.dj_profile_id = v_owner AND c.id <> v_click.id
         AND c.clicked_at >= p_high_from AND c.clicked_at <= p_at
         AND (c.visitor_id IS NULL OR c.visitor_id IS DISTINCT FROM v_click.visitor_id)
    ) THEN
      v_confidence := 'low';
    ELSE
      v_confidence := 'high';
    END IF;
    v_attribution := json_build_object(
      'click_id', v_click.id::text,
      'dj_profile_id', v_click.dj_profile_id::text,
      'page_url', v_click.page_url,
      'referrer', v_click.referrer,
      'visitor_id', v_click.visitor_id,
      'utm_source', v_click.utm_source,
      'utm_medium', v_click.utm_medium,
      'utm_campaign', v_click.utm_campaign,
      'utm_term', v_click.utm_term,
      'utm_content', v_click.utm_content,
      'gclid', v_click.gclid,
      'clicked_at', to_char(v_click.clicked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'confidence', v_confidence
    )::text;
  END IF;

  INSERT INTO dj_calls (id, dj_profile_id, call_sid, "timestamp", source, virtual_number,
    caller_number, caller_name, call_status, answered, voicemail_left, attribution,
    created_at, updated_at)
  VALUES (p_call_id, v_owner, p_call_sid, p_at, 'twilio', p_virtual_number, p_caller,
    p_caller_name, p_call_status, p_answered, p_voicemail_left, v_attribution, p_at, p_at);
  call_id := p_call_id;
  outcome := 'recorded';
  RETURN NEXT;
END
$$;
