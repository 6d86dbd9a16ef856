-- Outbound webhook events in the transaction of their cause (issue 14): PostgreSQL's
-- one-statement `incoming` (0011, batched by 0018, contacts by 0020, page_url by 0029) now
-- enqueues the caller's `contact.created` / `contact.updated` itself, in the statement that
-- makes or finds the contact, instead of the application raising it after the commit (a crash
-- in between lost it). `event_queued` says whether it did, so the application wakes the job
-- runners. The return type grows, so both functions are dropped and created again (the batch
-- one calls the other); otherwise the function is 0029's.
DROP FUNCTION djcalls_record_incoming_batch(text, text[], text[], text[], timestamptz[], uuid[],
  uuid[], text[], text[], text[], text[], boolean[], boolean[], timestamptz[], timestamptz[]);
DROP FUNCTION djcalls_record_incoming(text, text, text, text, timestamptz, uuid, uuid, text, text,
  text, text, boolean, boolean, timestamptz, timestamptz);

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
    caller_number, caller_name, call_status, answered, voicemail_left, attribution, page_url,
    created_at, updated_at)
  VALUES (p_call_id, v_owner, p_call_sid, p_at, 'twilio', p_virtual_number, p_caller,
    p_caller_name, p_call_status, p_answered, p_voicemail_left, v_attribution,
    v_click.page_url, p_at, p_at);
  call_id := p_call_id;

  -- The caller's contact. A withheld number arrives as NULL and makes no contact. DO NOTHING,
  -- unlike the other paths (store/src/contacts/upsert.rs), which also name a nameless contact:
  -- it leaves an existing contact unlocked, so two batches whose items share callers in crossed
  -- order cannot wait for each other (only two brand-new contacts, each inserted by both
  -- batches in crossed order, can; PostgreSQL then aborts one batch and batch.rs records its
  -- items one by one). The name is filled by the call's next delivery (the general path).
  IF p_caller IS NOT NULL THEN
    v_contact := gen_random_uuid();
    INSERT INTO contacts AS k (id, dj_profile_id, phone, name, created_at)
    VALUES (v_contact, v_owner, p_caller, p_caller_name, p_at)
    ON CONFLICT (dj_profile_id, phone) DO NOTHING
    RETURNING k.id INTO contact_id;
    IF contact_id IS NULL THEN
      SELECT k.id INTO contact_id FROM contacts k
       WHERE k.dj_profile_id = v_owner AND k.phone = p_caller;
    END IF;
    contact_created := contact_id = v_contact;

    -- The contact's outbound webhook event, in this transaction (app/src/webhooks/events.rs:
    -- `contact_event` for a call and `WebhookEventJob::queue_row`, written once more here).
    -- Its cause is this delivery's event id, so a retried statement raises it once; only
    -- while some endpoint is enabled (store/src/jobs/mod.rs, ENQUEUE_EVENT_SQL), so without
    -- endpoints the hot path writes nothing more. The job's attempts are
    -- `WebhookEventJob::MAX_ATTEMPTS` (10); the timestamp is RFC 3339 with the fraction
    -- trimmed, as jiff writes it.
    v_event_type := CASE WHEN contact_created THEN 'contact.created' ELSE 'contact.updated' END;
    v_key := 'webhook_event:' || v_event_type || ':' || p_event_id::text;
    INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, dedupe_key,
      dj_profile_id, created_at, updated_at)
    SELECT gen_random_uuid(), 'webhook_event',
      json_build_object(
        'id', 'msg_' || replace(p_event_id::text, '-', ''),
        'type', v_event_type,
        'timestamp', regexp_replace(
          to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '\.?0+$', '') || 'Z',
        'data', json_build_object('contact_id', contact_id::text,
          'dj_profile_id', v_owner::text, 'reason', 'call'),
        'key', v_key)::text,
      'queued', 0, 10, p_at, v_key, NULL, p_at, p_at
     WHERE EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.disabled_at IS NULL)
    ON CONFLICT (dedupe_key) DO NOTHING;
    GET DIAGNOSTICS v_queued = ROW_COUNT;
    event_queued := v_queued > 0;
  END IF;
  outcome := 'recorded';
  RETURN NEXT;
END
$$;

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
  dj_slug text,
  contact_id uuid,
  contact_created boolean,
  event_queued boolean
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_call_sid, 1), 0) LOOP
    RETURN QUERY
      SELECT i, r.outcome, r.call_id, r.owner, r.dj_profile_id, r.virtual_number,
             r.real_phone_number, r.dj_name, r.dj_slug, r.contact_id, r.contact_created,
             r.event_queued
        FROM djcalls_record_incoming(p_role, p_call_sid[i], p_dedupe_key[i], p_event[i],
          p_at[i], p_event_id[i], p_call_id[i], p_virtual_number[i], p_caller[i],
          p_caller_name[i], p_call_status[i], p_answered[i], p_voicemail_left[i],
          p_high_from[i], p_low_from[i]) r;
  END LOOP;
END
$$;

-- The delivery log's retention (store/src/webhooks/deliveries.rs, `prune_webhook_deliveries`)
-- deletes the deliveries that finished before a cutoff and wait for no attempt: this index holds
-- exactly those rows, by the instant they finished, so the hourly prune reads only what it
-- deletes instead of the whole log. The instant is a generated column rather than an index on
-- the expression: PostgreSQL does not use `coalesce(…) < $1` as an index condition under
-- row-level security (it is not leakproof), while a plain column comparison it does.
ALTER TABLE webhook_deliveries ADD COLUMN finished_at timestamptz
  GENERATED ALWAYS AS (coalesce(delivered_at, failed_at)) STORED;
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)
  WHERE next_attempt_at IS NULL;
