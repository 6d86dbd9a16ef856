-- Contacts (SPEC §14, issue 14): every caller with a usable number becomes a contact of the DJ
-- they called, one per DJ and E.164 number. The row holds only what a call cannot tell later
-- (its id, when it was made, the first caller name heard); everything else a contact shows —
-- first and last call, counts, latest event, payments, opt-out, texts — is computed at read
-- time from the calls, payments, opt-outs and messages (store/src/contacts/), so it can never
-- drift from them.
CREATE TABLE contacts (
  id            uuid PRIMARY KEY,
  dj_profile_id uuid NOT NULL REFERENCES dj_profiles (id),
  phone         text NOT NULL CHECK (phone LIKE '+%'),
  name          text,
  created_at    timestamptz NOT NULL,
  UNIQUE (dj_profile_id, phone)
);
-- Newest contacts first, per DJ and platform-wide (the list's keyset order).
CREATE INDEX contacts_profile_created ON contacts (dj_profile_id, created_at DESC, id DESC);
CREATE INDEX contacts_created ON contacts (created_at DESC, id DESC);
-- The opt-out policy below looks contacts up by number.
CREATE INDEX contacts_phone ON contacts (phone);

-- A contact's calls are the DJ's calls from that number: the join key is the contact's own
-- key, so no call can point at the wrong contact or miss one (a contact_id column would have
-- to be set by every path that writes a call).
CREATE INDEX dj_calls_profile_caller ON dj_calls (dj_profile_id, caller_number, "timestamp" DESC, id DESC);
-- A contact's texts: inbound ones come from the number, outbound ones go to it.
CREATE INDEX messages_profile_from ON messages (dj_profile_id, from_number);
CREATE INDEX messages_profile_to ON messages (dj_profile_id, to_number);

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY contacts_tenant ON contacts
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

-- The opt-out list is platform data, but a DJ may read whether their own contacts opted out:
-- contacts' policy limits the subquery to the DJ's own contacts. Read only.
CREATE POLICY sms_opt_outs_contacts ON sms_opt_outs FOR SELECT
  USING (EXISTS (SELECT 1 FROM contacts k WHERE k.phone = sms_opt_outs.phone_number));

-- Existing calls: one contact per DJ and caller number, made when its first call came in, named
-- by the first caller name heard.
INSERT INTO contacts (id, dj_profile_id, phone, name, created_at)
SELECT gen_random_uuid(), g.dj_profile_id, g.caller_number,
  (SELECT n.caller_name FROM dj_calls n
    WHERE n.dj_profile_id = g.dj_profile_id AND n.caller_number = g.caller_number
      AND n.caller_name IS NOT NULL
    ORDER BY n."timestamp", n.id LIMIT 1),
  g.first_at
FROM (SELECT dj_profile_id, caller_number, min("timestamp") AS first_at FROM dj_calls
       WHERE caller_number LIKE '+%' GROUP BY dj_profile_id, caller_number) g;

-- The incoming webhook's one-statement path (0011, batched by 0018) now makes the caller's
-- contact in the same statement and says which contact and whether it is new. The return type
-- grows, so both functions are dropped and created again (the batch one calls the other).
DROP FUNCTION djcalls_record_incoming_batch(text, text[], text[], text[], timestamptz[], uuid[],
  uuid[], text[], text[], text[], text[], boolean[], boolean[], timestamptz[], timestamptz[]);
DROP FUNCTION djcalls_record_incoming(text, text, text, text, timestamptz, uuid, uuid, text, text,
  text, text, boolean, boolean, timestamptz, timestamptz);

-- As 0011, plus step 6: with a caller number, the contact (DJ, number) is created unless it
-- exists; contact_id and contact_created say which it is and whether it is new.
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
  contact_created boolean
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
  contact_created boolean
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_call_sid, 1), 0) LOOP
    RETURN QUERY
      SELECT i, r.outcome, r.call_id, r.owner, r.dj_profile_id, r.virtual_number,
             r.real_phone_number, r.dj_name, r.dj_slug, r.contact_id, r.contact_created
        FROM djcalls_record_incoming(p_role, p_call_sid[i], p_dedupe_key[i], p_event[i],
          p_at[i], p_event_id[i], p_call_id[i], p_virtual_number[i], p_caller[i],
          p_caller_name[i], p_call_status[i], p_answered[i], p_voicemail_left[i],
          p_high_from[i], p_low_from[i]) r;
  END LOOP;
END
$$;
