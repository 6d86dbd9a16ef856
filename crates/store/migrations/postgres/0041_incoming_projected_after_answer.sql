-- `incoming` writes only its delivery; the call is projected right after it (issue 8 part 6).
--
-- The caller hears silence until `incoming` answers. 0040 answered after recording the whole
-- call in its transaction — routing, refold check, event, attribution, call row, contact,
-- summaries: a plan of about sixty nodes whose fixed cost (1-2 ms of the database's time per
-- batch) dominated, so `incoming` ran at about 0.3x the database's own single-row insert rate.
-- Now `incoming` commits what makes the delivery durable and nothing more: its `call_events`
-- row and a row here naming it, with the routing answer read in the same statement
-- (`djcalls_accept_incoming_batch`). Every process then projects the accepted deliveries in
-- large batches (`djcalls_project_incoming`: the rest of what 0040 did, for up to a few hundred
-- calls at once), about 0.1 s later (the app's gather); the call row and its live update
-- follow the answer instead of coming with it. Nothing is lost in between: a row here stays until the
-- transaction that projected its delivery commits, so a process that dies first leaves it to
-- the next sweep of any process (`FOR UPDATE SKIP LOCKED`, so two processes never project one
-- delivery twice).
--
-- What a projection needs besides the event (the facts the delivery alone gives, and the
-- attribution windows as of its arrival) is kept with it, computed by the store when the
-- delivery arrived, so the projection never parses the event again.
--
-- SQLite records `incoming` in one local transaction with the whole call (no round trips to
-- save); it never writes this table, which exists there so both schemas stay one.
CREATE TABLE incoming_unprojected (
  event_id       uuid PRIMARY KEY,
  call_id        uuid NOT NULL,
  call_sid       text NOT NULL,
  virtual_number text,
  caller         text,
  caller_name    text,
  call_status    text NOT NULL,
  answered       boolean NOT NULL,
  voicemail_left boolean NOT NULL,
  received_at    timestamptz NOT NULL,
  high_from      timestamptz NOT NULL,
  low_from       timestamptz NOT NULL,
  -- Failed projections of this delivery, and the last one's error: after 5 it is no longer
  -- taken (set aside for a person to look at; `attempts = 0` sends it round again).
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text
);
ALTER TABLE incoming_unprojected ENABLE ROW LEVEL SECURITY;
ALTER TABLE incoming_unprojected FORCE ROW LEVEL SECURITY;
CREATE POLICY incoming_unprojected_platform ON incoming_unprojected
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));

-- The answer and the durable delivery, for a batch of deliveries, in one statement: each
-- event once per delivery key (a retry inserts nothing and queues nothing), a projection row
-- for each new one, and the routing answer of every item.
CREATE FUNCTION djcalls_accept_incoming_batch(
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
  new_event boolean,
  dj_profile_id uuid,
  virtual_number text,
  real_phone_number text,
  dj_name text,
  dj_slug text
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.role', 'system', true), set_config('app.dj_profile_ids', '', true);
  IF p_role IS NOT NULL THEN
    PERFORM set_config('role', p_role, true);
  END IF;

  RETURN QUERY
  WITH input AS (
    SELECT t.*
      FROM unnest(p_call_sid, p_dedupe_key, p_event, p_at, p_event_id, p_call_id,
                  p_virtual_number, p_caller, p_caller_name, p_call_status, p_answered,
                  p_voicemail_left, p_high_from, p_low_from) WITH ORDINALITY
           AS t(call_sid, dedupe_key, event, at, event_id, call_id, virtual_number, caller,
                caller_name, call_status, answered, voicemail_left, high_from, low_from, i)
  ),
  events AS (
    INSERT INTO call_events (id, call_sid, dedupe_key, event, received_at)
    SELECT n.event_id, n.call_sid, n.dedupe_key, n.event, n.at FROM input n
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
  ),
  queued AS (
    INSERT INTO incoming_unprojected (event_id, call_id, call_sid, virtual_number, caller,
      caller_name, call_status, answered, voicemail_left, received_at, high_from, low_from)
    SELECT n.event_id, n.call_id, n.call_sid, n.virtual_number, n.caller, n.caller_name,
      n.call_status, n.answered, n.voicemail_left, n.at, n.high_from, n.low_from
      FROM input n JOIN events e ON e.id = n.event_id
    RETURNING event_id
  )
  SELECT n.i::integer, q.event_id IS NOT NULL,
    r.dj_profile_id, r.virtual_number, r.real_phone_number, r.dj_name, r.dj_slug
    FROM input n
    LEFT JOIN queued q ON q.event_id = n.event_id
    LEFT JOIN LATERAL (
      SELECT v.dj_profile_id, v.virtual_number, v.real_phone_number, p.dj_name, p.dj_slug
        FROM dj_virtual_numbers v JOIN dj_profiles p ON p.id = v.dj_profile_id
       WHERE v.virtual_number = n.virtual_number AND v.state = 'assigned' AND v.is_active
         AND v.real_phone_number IS NOT NULL
       LIMIT 1
    ) r ON true;
END
$$;

-- Projects up to `p_limit` accepted deliveries (or only `p_only`), oldest first, skipping
-- those another transaction is projecting and those set aside. Each is recorded as 0040 recorded a new call's first delivery:
-- the per-call advisory locks in lock-key order (the general voice path holds one such lock);
-- `refold` when the call has another event, transcript segments or already a row (a status
-- callback or transcription that overtook the projection, a second `incoming`) — the store
-- then folds that call on the general path, and its row here stays until that commits; otherwise the owner (the number's DJ while
-- assigned), the newest click of the owner in the attribution window, the call row (its
-- analytics deltas and funnel mark by the statement triggers), the caller's contact and its
-- outbound event. A delivery to
-- a number without an owner is done: its event is kept, as on the general path.
CREATE FUNCTION djcalls_project_incoming(p_role text, p_limit integer, p_only uuid)
RETURNS TABLE (
  event_id uuid,
  call_sid text,
  received_at timestamptz,
  outcome text,
  call_id uuid,
  owner uuid,
  contact_id uuid,
  contact_created boolean,
  event_queued boolean
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  c_event_id uuid[];
  c_call_id uuid[];
  c_call_sid text[];
  c_virtual_number text[];
  c_caller text[];
  c_caller_name text[];
  c_call_status text[];
  c_answered boolean[];
  c_voicemail_left boolean[];
  c_at timestamptz[];
  c_high_from timestamptz[];
  c_low_from timestamptz[];
  -- Per item (1-based, as claimed): what the recording statement decided.
  a_refold boolean[];
  a_owner uuid[];
  a_contact_new uuid[];
  a_contact uuid[];
  a_queued boolean[];
BEGIN
  PERFORM set_config('app.role', 'system', true), set_config('app.dj_profile_ids', '', true);
  IF p_role IS NOT NULL THEN
    PERFORM set_config('role', p_role, true);
  END IF;

  SELECT array_agg(u.event_id ORDER BY u.event_id), array_agg(u.call_id ORDER BY u.event_id),
         array_agg(u.call_sid ORDER BY u.event_id),
         array_agg(u.virtual_number ORDER BY u.event_id),
         array_agg(u.caller ORDER BY u.event_id), array_agg(u.caller_name ORDER BY u.event_id),
         array_agg(u.call_status ORDER BY u.event_id),
         array_agg(u.answered ORDER BY u.event_id),
         array_agg(u.voicemail_left ORDER BY u.event_id),
         array_agg(u.received_at ORDER BY u.event_id),
         array_agg(u.high_from ORDER BY u.event_id), array_agg(u.low_from ORDER BY u.event_id)
    INTO c_event_id, c_call_id, c_call_sid, c_virtual_number, c_caller, c_caller_name,
         c_call_status, c_answered, c_voicemail_left, c_at, c_high_from, c_low_from
    FROM (SELECT * FROM incoming_unprojected o
           WHERE o.attempts < 5 AND (p_only IS NULL OR o.event_id = p_only)
           ORDER BY o.event_id LIMIT p_limit
           FOR UPDATE SKIP LOCKED) u;
  IF c_event_id IS NULL THEN
    RETURN;
  END IF;
  -- What this transaction writes is derived from rows already durable (the events and the
  -- rows here): if a crash loses its commit, the rows it removed come back and are projected
  -- again, to the same rows and the same job keys. So it need not wait for its WAL flush,
  -- which would double the flushes `incoming` waits behind.
  PERFORM set_config('synchronous_commit', 'off', true);

  PERFORM pg_advisory_xact_lock(l.k)
     FROM (SELECT DISTINCT hashtext(s) AS k FROM unnest(c_call_sid) s ORDER BY 1) l;

  WITH input AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.call_sid ORDER BY t.i) AS nth
      FROM unnest(c_call_sid, c_event_id, c_call_id, c_at, c_virtual_number, c_caller,
                  c_caller_name, c_call_status, c_answered, c_voicemail_left, c_high_from,
                  c_low_from) WITH ORDINALITY
           AS t(call_sid, event_id, call_id, at, virtual_number, caller, caller_name,
                call_status, answered, voicemail_left, high_from, low_from, i)
  ),
  decided AS (
    SELECT n.*, (n.nth > 1 OR e.hit OR c.hit OR t.hit) IS TRUE AS refold, v.owner
      FROM input n
      LEFT JOIN LATERAL (
        SELECT true AS hit FROM call_events e WHERE e.call_sid = n.call_sid
           AND e.id <> n.event_id
         ORDER BY e.call_sid, e.received_at LIMIT 1) e ON true
      -- Transcript segments that came first (the general path assembles them into the row).
      LEFT JOIN LATERAL (
        SELECT true AS hit FROM call_transcript_segments t WHERE t.call_sid = n.call_sid
         LIMIT 1) t ON true
      LEFT JOIN LATERAL (
        SELECT true AS hit FROM dj_calls c WHERE c.call_sid = n.call_sid LIMIT 1) c ON true
      LEFT JOIN LATERAL (
        SELECT v.dj_profile_id AS owner FROM dj_virtual_numbers v
         WHERE v.virtual_number = n.virtual_number AND v.state = 'assigned' LIMIT 1) v ON true
  ),
  done AS (
    DELETE FROM incoming_unprojected u USING decided d
     WHERE u.event_id = d.event_id AND NOT d.refold
  ),
  calls AS (
    SELECT d.*, k.id AS click_id, k.page_url AS click_page_url,
      CASE WHEN k.id IS NULL THEN NULL ELSE json_build_object(
        'click_id', k.id::text,
        'dj_profile_id', k.dj_profile_id::text,
        'page_url', k.page_url,
        'referrer', k.referrer,
        'visitor_id', k.visitor_id,
        'utm_source', k.utm_source,
        'utm_medium', k.utm_medium,
        'utm_campaign', k.utm_campaign,
        'utm_term', k.utm_term,
        'utm_content', k.utm_content,
        'gclid', k.gclid,
        'clicked_at', to_char(k.clicked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'confidence', CASE
          WHEN k.clicked_at < d.high_from THEN 'low'
          WHEN other.hit THEN 'low'
          ELSE 'high' END
      )::text END AS attribution
      FROM decided d
      LEFT JOIN LATERAL (
        SELECT c.* FROM widget_clicks c
         WHERE c.dj_profile_id = d.owner AND c.clicked_at >= d.low_from AND c.clicked_at <= d.at
         ORDER BY c.clicked_at DESC, c.id DESC LIMIT 1
      ) k ON true
      LEFT JOIN LATERAL (
        SELECT true AS hit FROM widget_clicks o
         WHERE o.dj_profile_id = d.owner AND o.id <> k.id
           AND o.clicked_at >= d.high_from AND o.clicked_at <= d.at
           AND (o.visitor_id IS NULL OR o.visitor_id IS DISTINCT FROM k.visitor_id)
         ORDER BY o.dj_profile_id, o.clicked_at DESC LIMIT 1
      ) other ON k.id IS NOT NULL
     WHERE NOT d.refold AND d.owner IS NOT NULL
  ),
  -- Their analytics deltas and funnel marks come from the statement triggers on dj_calls
  -- (0035, 0036), which fire once for the whole batch.
  inserted_calls AS (
    INSERT INTO dj_calls (id, dj_profile_id, call_sid, "timestamp", source, virtual_number,
      caller_number, caller_name, call_status, answered, voicemail_left, attribution, page_url,
      created_at, updated_at)
    SELECT c.call_id, c.owner, c.call_sid, c.at, 'twilio', c.virtual_number, c.caller,
      c.caller_name, c.call_status, c.answered, c.voicemail_left, c.attribution,
      c.click_page_url, c.at, c.at
      FROM calls c
  ),
  -- The first item of the batch naming a contact makes it, if nobody had.
  proposed AS (
    SELECT DISTINCT ON (c.owner, c.caller) c.i, gen_random_uuid() AS id, c.owner, c.caller,
      c.caller_name, c.at
      FROM calls c WHERE c.caller IS NOT NULL
     ORDER BY c.owner, c.caller, c.i
  ),
  made AS (
    INSERT INTO contacts AS k (id, dj_profile_id, phone, name, created_at)
    SELECT p.id, p.owner, p.caller, p.caller_name, p.at FROM proposed p
    ON CONFLICT (dj_profile_id, phone) DO NOTHING
    RETURNING k.id
  )
  SELECT array_agg(d.refold ORDER BY d.i), array_agg(d.owner ORDER BY d.i),
         array_agg(m.id ORDER BY d.i)
    INTO a_refold, a_owner, a_contact_new
    FROM decided d
    LEFT JOIN proposed p ON p.i = d.i
    LEFT JOIN made m ON m.id = p.id;

  -- Every recorded item's contact (made above, by an earlier item, or long ago; a statement
  -- of its own, so it sees a contact another transaction committed meanwhile), and the
  -- contact's outbound event when an endpoint listens.
  WITH input AS (
    SELECT t.* FROM unnest(c_caller, c_event_id, c_at, a_refold, a_owner)
      WITH ORDINALITY AS t(caller, event_id, at, refold, owner, i)
  ),
  found AS (
    SELECT n.i, n.event_id, n.at, n.owner, k.id AS contact,
      CASE WHEN k.id = a_contact_new[n.i] THEN 'contact.created' ELSE 'contact.updated' END
        AS event_type
      FROM input n JOIN contacts k ON k.dj_profile_id = n.owner AND k.phone = n.caller
     WHERE NOT n.refold AND n.owner IS NOT NULL
  ),
  queued AS (
    INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, dedupe_key,
      dj_profile_id, created_at, updated_at)
    SELECT gen_random_uuid(), 'webhook_event',
      json_build_object(
        'id', 'msg_' || replace(f.event_id::text, '-', ''),
        'type', f.event_type,
        'timestamp', regexp_replace(
          to_char(f.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '\.?0+$', '') || 'Z',
        'data', json_build_object('contact_id', f.contact::text,
          'dj_profile_id', f.owner::text, 'reason', 'call'),
        'key', 'webhook_event:' || f.event_type || ':' || f.event_id::text)::text,
      'queued', 0, 10, f.at, 'webhook_event:' || f.event_type || ':' || f.event_id::text,
      NULL, f.at, f.at
      FROM found f
     WHERE EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.disabled_at IS NULL)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING jobs.dedupe_key
  )
  SELECT array_agg(f.contact ORDER BY n.i),
         array_agg(q.dedupe_key IS NOT NULL ORDER BY n.i)
    INTO a_contact, a_queued
    FROM input n
    LEFT JOIN found f ON f.i = n.i
    LEFT JOIN queued q ON q.dedupe_key = 'webhook_event:' || f.event_type || ':' || f.event_id::text;

  RETURN QUERY
  SELECT c_event_id[n.i], c_call_sid[n.i], c_at[n.i],
    CASE WHEN a_refold[n.i] THEN 'refold' ELSE 'recorded' END,
    CASE WHEN a_refold[n.i] OR a_owner[n.i] IS NULL THEN NULL ELSE c_call_id[n.i] END,
    CASE WHEN a_refold[n.i] THEN NULL ELSE a_owner[n.i] END,
    CASE WHEN a_refold[n.i] OR c_caller[n.i] IS NULL THEN NULL ELSE a_contact[n.i] END,
    CASE WHEN a_refold[n.i] OR c_caller[n.i] IS NULL OR a_owner[n.i] IS NULL THEN NULL
         ELSE a_contact[n.i] = a_contact_new[n.i] IS TRUE END,
    CASE WHEN a_refold[n.i] OR c_caller[n.i] IS NULL OR a_owner[n.i] IS NULL THEN NULL
         ELSE a_queued[n.i] END
    FROM generate_subscripts(c_event_id, 1) AS n(i)
   ORDER BY n.i;
END
$$;

-- 0040 let the statement triggers that summarise inserted calls skip its batch, which wrote
-- the same rows itself, because for a handful of rows a firing cost more than the rows. The
-- projection's batches are large, so the triggers summarise every insert again, as for any
-- other statement, and the flag is gone.
DROP TRIGGER analytics_calls_inserted ON dj_calls;
CREATE TRIGGER analytics_calls_inserted AFTER INSERT ON dj_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_analytics_calls_changed();
DROP TRIGGER funnel_calls_inserted ON dj_calls;
CREATE TRIGGER funnel_calls_inserted AFTER INSERT ON dj_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION djcalls_funnel_calls_changed();

-- 0040's record-everything-before-answering batch, replaced by the two above.
DROP FUNCTION djcalls_record_incoming_batch(text, text[], text[], text[], timestamptz[],
  uuid[], uuid[], text[], text[], text[], text[], boolean[], boolean[], timestamptz[],
  timestamptz[]);
