-- `incoming` in batches (0018) with one INSERT into dj_calls per batch instead of one per call
-- (issue 8 part 6). Since 0035, dj_calls has statement-level triggers that write analytics
-- deltas; every INSERT statement fires them once, and each firing plans and runs the analytics
-- SQL functions again. When the batch called djcalls_record_incoming per item, a batch of N
-- calls paid N firings (measured: about 40% of the function's time under 16 concurrent
-- deliveries). Here each item is recorded exactly as djcalls_record_incoming (0034) records it
-- — the same lock, routing answer, refold check, event row, attribution, contact and contact
-- event, in the same order — except that its dj_calls row is gathered and all rows are
-- inserted together at the end of the statement, firing the triggers once. Nothing reads an
-- item's call row before then (contacts and jobs do not refer to it; a later item of the same
-- CallSid is already sent to the general path by the event row its predecessor wrote), and a
-- failure of that INSERT fails the whole batch, which batch.rs then records item by item.
-- The single-call function (a batch of one) is unchanged.
CREATE OR REPLACE FUNCTION djcalls_record_incoming_batch(
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
  dj_slug text,
  contact_id uuid,
  contact_created boolean,
  event_queued boolean
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_owner uuid;
  v_click widget_clicks%ROWTYPE;
  v_confidence text;
  v_attribution text;
  v_contact uuid;
  v_event_type text;
  v_key text;
  v_queued integer;
  -- The dj_calls rows, inserted together at the end.
  r_idx integer[] := '{}';
  r_owner uuid[] := '{}';
  r_attribution text[] := '{}';
  r_page_url text[] := '{}';
BEGIN
  PERFORM set_config('app.role', 'system', true), set_config('app.dj_profile_ids', '', true);
  IF p_role IS NOT NULL THEN
    PERFORM set_config('role', p_role, true);
  END IF;

  FOR i IN 1 .. coalesce(array_length(p_call_sid, 1), 0) LOOP
    item := i;
    outcome := NULL; call_id := NULL; owner := NULL; dj_profile_id := NULL;
    virtual_number := NULL; real_phone_number := NULL; dj_name := NULL; dj_slug := NULL;
    contact_id := NULL; contact_created := NULL; event_queued := NULL;
    v_owner := NULL; v_click := NULL; v_attribution := NULL;

    PERFORM pg_advisory_xact_lock(hashtext(p_call_sid[i]));

    SELECT n.dj_profile_id, n.virtual_number, n.real_phone_number, p.dj_name, p.dj_slug
      INTO dj_profile_id, virtual_number, real_phone_number, dj_name, dj_slug
      FROM dj_virtual_numbers n JOIN dj_profiles p ON p.id = n.dj_profile_id
     WHERE n.virtual_number = p_virtual_number[i] AND n.state = 'assigned' AND n.is_active
       AND n.real_phone_number IS NOT NULL;

    IF EXISTS (SELECT 1 FROM call_events e WHERE e.call_sid = p_call_sid[i])
       OR EXISTS (SELECT 1 FROM dj_calls c WHERE c.call_sid = p_call_sid[i]) THEN
      outcome := 'refold';
      RETURN NEXT;
      CONTINUE;
    END IF;

    INSERT INTO call_events (id, call_sid, dedupe_key, event, received_at)
    VALUES (p_event_id[i], p_call_sid[i], p_dedupe_key[i], p_event[i], p_at[i]);

    SELECT n.dj_profile_id INTO v_owner FROM dj_virtual_numbers n
     WHERE n.virtual_number = p_virtual_number[i] AND n.state = 'assigned';
    owner := v_owner;
    IF v_owner IS NULL THEN
      outcome := 'recorded';
      RETURN NEXT;
      CONTINUE;
    END IF;

    -- djcalls_domain::attribution, as in djcalls_record_incoming.
    SELECT * INTO v_click FROM widget_clicks c
     WHERE c.dj_profile_id = v_owner AND c.clicked_at >= p_low_from[i]
       AND c.clicked_at <= p_at[i]
     ORDER BY c.clicked_at DESC, c.id DESC LIMIT 1;
    IF FOUND THEN
      IF v_click.clicked_at < p_high_from[i] THEN
        v_confidence := 'low';
      ELSIF EXISTS (
        SELECT 1 FROM widget_clicks c
         WHERE c.dj_profile_id = v_owner AND c.id <> v_click.id
           AND c.clicked_at >= p_high_from[i] AND c.clicked_at <= p_at[i]
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

    r_idx := r_idx || i;
    r_owner := r_owner || v_owner;
    r_attribution := r_attribution || v_attribution;
    r_page_url := r_page_url || v_click.page_url;
    call_id := p_call_id[i];

    -- The caller's contact and its outbound event, as in djcalls_record_incoming.
    IF p_caller[i] IS NOT NULL THEN
      v_contact := gen_random_uuid();
      INSERT INTO contacts AS k (id, dj_profile_id, phone, name, created_at)
      VALUES (v_contact, v_owner, p_caller[i], p_caller_name[i], p_at[i])
      ON CONFLICT (dj_profile_id, phone) DO NOTHING
      RETURNING k.id INTO contact_id;
      IF contact_id IS NULL THEN
        SELECT k.id INTO contact_id FROM contacts k
         WHERE k.dj_profile_id = v_owner AND k.phone = p_caller[i];
      END IF;
      contact_created := contact_id = v_contact;

      v_event_type := CASE WHEN contact_created THEN 'contact.created' ELSE 'contact.updated' END;
      v_key := 'webhook_event:' || v_event_type || ':' || p_event_id[i]::text;
      INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, dedupe_key,
        dj_profile_id, created_at, updated_at)
      SELECT gen_random_uuid(), 'webhook_event',
        json_build_object(
          'id', 'msg_' || replace(p_event_id[i]::text, '-', ''),
          'type', v_event_type,
          'timestamp', regexp_replace(
            to_char(p_at[i] AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '\.?0+$', '') || 'Z',
          'data', json_build_object('contact_id', contact_id::text,
            'dj_profile_id', v_owner::text, 'reason', 'call'),
          'key', v_key)::text,
        'queued', 0, 10, p_at[i], v_key, NULL, p_at[i], p_at[i]
       WHERE EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.disabled_at IS NULL)
      ON CONFLICT (dedupe_key) DO NOTHING;
      GET DIAGNOSTICS v_queued = ROW_COUNT;
      event_queued := v_queued > 0;
    END IF;
    outcome := 'recorded';
    RETURN NEXT;
  END LOOP;

  -- Every recorded call's row in one statement: the analytics triggers fire once.
  INSERT INTO dj_calls (id, dj_profile_id, call_sid, "timestamp", source, virtual_number,
    caller_number, caller_name, call_status, answered, voicemail_left, attribution, page_url,
    created_at, updated_at)
  SELECT p_call_id[r.i], r.owner, p_call_sid[r.i], p_at[r.i], 'twilio', p_virtual_number[r.i],
    p_caller[r.i], p_caller_name[r.i], p_call_status[r.i], p_answered[r.i],
    p_voicemail_left[r.i], r.attribution, r.page_url, p_at[r.i], p_at[r.i]
    FROM unnest(r_idx, r_owner, r_attribution, r_page_url) AS r(i, owner, attribution, page_url)
   ORDER BY r.i;
END
$$;
