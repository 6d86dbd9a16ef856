-- `incoming` in batches, set-based (issue 8 part 6). 0037 still recorded a batch item by item:
-- about ten statements per call inside the function (the lock, the routing answer, the refold
-- check, the event, the owner, the click, the contact and its lookup, the contact's event),
-- measured at 0.5-0.7 ms of the database's time per call under 16 concurrent deliveries. Here
-- the whole batch takes four statements whatever its size: its locks, then one statement that
-- answers and records every item (routing, refold check, event rows, attribution, call rows,
-- new contacts), then the contacts that already existed and their outbound events, then the
-- answer. The store now sends every `incoming` through this function, a batch of one included.
--
-- Each item is recorded as djcalls_record_incoming (0034) records it:
--   * the per-call advisory lock (taken for the whole batch first, in the order of the lock
--     keys, so two batches cannot deadlock; the general voice path holds one such lock);
--   * the routing answer for every item, refold or not;
--   * `refold` when the call already has an event or a call row — or when an earlier item of
--     the same batch is the same call (it would have written the event first);
--   * the event row; the owner (the number's DJ while assigned, active or not); the newest
--     click of the owner inside the attribution window, `low` confidence when it is older than
--     the high window or another visitor clicked within it, otherwise `high`;
--   * the caller's contact, made by the first item of the batch that names it (`created`),
--     found by the others (`updated`), and its outbound event when an endpoint listens.
-- Every lookup is a LATERAL probe with LIMIT 1 ordered as its index, so the plan stays an
-- index probe per item whatever the tables' statistics say: a generic plan made on fresh,
-- unanalysed tables chose a hashed sequential scan of call_events for the refold check (seen
-- with autovacuum off, as an ordinary role: 18 ms for a batch of four at 18,000 events).
-- The statement after the locks runs on a snapshot taken after them, so it sees whatever the
-- general path committed for these calls. Any failure fails the whole batch; the store then
-- records its items one batch of one at a time.
-- The helpers every call row passes through, made inlinable. A SQL function that PostgreSQL
-- cannot inline runs as a query of its own for every row (and is parsed and planned again
-- for every statement): the statement trigger that writes a batch's analytics deltas spent
-- about 0.2 ms per call in them. Same results as before (0035, 0036):
--   * the hour and quarter of an instant: `extract(epoch FROM timestamptz)` is only STABLE,
--     which kept these IMMUTABLE functions from being inlined; the epoch of the interval since
--     1970 is the same exact number and IMMUTABLE;
--   * a call's source key: a function returning one record is never inlined in FROM, a
--     set-returning one is (it still returns exactly one row);
--   * the click a call names: one expression instead of a query (also the generated
--     `dj_calls.click_id`, computed for every row written).
CREATE OR REPLACE FUNCTION djcalls_analytics_hour(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT floor(extract(epoch FROM t - timestamptz '1970-01-01 00:00:00+00') / 3600)::bigint
$$;
CREATE OR REPLACE FUNCTION djcalls_analytics_quarter(t timestamptz) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT (floor(extract(epoch FROM t - timestamptz '1970-01-01 00:00:00+00') / 900)::bigint
          % 4)::smallint
$$;

DROP FUNCTION djcalls_analytics_source_key(text);
CREATE FUNCTION djcalls_analytics_source_key(attribution text)
RETURNS TABLE (source text, medium text, campaign text)
LANGUAGE sql IMMUTABLE ROWS 1 AS $$
  SELECT CASE WHEN attribution IS NULL THEN 'direct'
              WHEN f.us IS NULL AND f.g IS NOT NULL THEN 'google' ELSE coalesce(f.us, '') END,
         CASE WHEN attribution IS NULL THEN ''
              WHEN f.us IS NULL AND f.g IS NOT NULL THEN coalesce(f.um, 'cpc')
              ELSE coalesce(f.um, '') END,
         CASE WHEN attribution IS NULL THEN '' ELSE coalesce(f.uc, '') END
  FROM (SELECT nullif(a->>'utm_source', '') AS us, nullif(a->>'utm_medium', '') AS um,
               nullif(a->>'utm_campaign', '') AS uc, nullif(a->>'gclid', '') AS g
        FROM (SELECT attribution::json AS a) j) f
$$;

CREATE OR REPLACE FUNCTION djcalls_funnel_click_of(attribution text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN (attribution::json ->> 'click_id')
                   ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              THEN (attribution::json ->> 'click_id')::uuid END
$$;

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
  -- Per item (1-based, as the input): what the recording statement decided.
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

  PERFORM pg_advisory_xact_lock(l.k)
     FROM (SELECT DISTINCT hashtext(s) AS k FROM unnest(p_call_sid) s ORDER BY 1) l;

  PERFORM set_config('djcalls.calls_summarised', 'on', true);

  WITH input AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.call_sid ORDER BY t.i) AS nth
      FROM unnest(p_call_sid, p_dedupe_key, p_event, p_at, p_event_id, p_call_id,
                  p_virtual_number, p_caller, p_caller_name, p_call_status, p_answered,
                  p_voicemail_left, p_high_from, p_low_from) WITH ORDINALITY
           AS t(call_sid, dedupe_key, event, at, event_id, call_id, virtual_number, caller,
                caller_name, call_status, answered, voicemail_left, high_from, low_from, i)
  ),
  decided AS (
    SELECT n.*, (n.nth > 1 OR e.hit OR c.hit) IS TRUE AS refold, v.owner
      FROM input n
      LEFT JOIN LATERAL (
        SELECT true AS hit FROM call_events e WHERE e.call_sid = n.call_sid
         ORDER BY e.call_sid, e.received_at LIMIT 1) e ON true
      LEFT JOIN LATERAL (
        SELECT true AS hit FROM dj_calls c WHERE c.call_sid = n.call_sid LIMIT 1) c ON true
      LEFT JOIN LATERAL (
        SELECT v.dj_profile_id AS owner FROM dj_virtual_numbers v
         WHERE v.virtual_number = n.virtual_number AND v.state = 'assigned' LIMIT 1) v ON true
  ),
  events AS (
    INSERT INTO call_events (id, call_sid, dedupe_key, event, received_at)
    SELECT d.event_id, d.call_sid, d.dedupe_key, d.event, d.at FROM decided d
     WHERE NOT d.refold
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
  inserted_calls AS (
    INSERT INTO dj_calls (id, dj_profile_id, call_sid, "timestamp", source, virtual_number,
      caller_number, caller_name, call_status, answered, voicemail_left, attribution, page_url,
      created_at, updated_at)
    SELECT c.call_id, c.owner, c.call_sid, c.at, 'twilio', c.virtual_number, c.caller,
      c.caller_name, c.call_status, c.answered, c.voicemail_left, c.attribution,
      c.click_page_url, c.at, c.at
      FROM calls c
    RETURNING *
  ),
  -- What the statement triggers on dj_calls would write (0035, 0036), from the same
  -- functions; they skip this statement (see the end of this file).
  deltas AS (
    INSERT INTO analytics_deltas (dj_profile_id, hour, quarter, event_type, source, medium,
      campaign, calls, booked, answered, voicemails, hot, warm, cold, duration_sum,
      with_duration, links_sent, payments_received, missed_texts, missed_text_payments,
      recordings, transcriptions, revenue_cents, platform_cut_cents, dj_share_cents)
    SELECT x.* FROM inserted_calls n,
      djcalls_analytics_contribution(ROW(n.*)::dj_calls, 1) x
  ),
  funnel_marks AS (
    INSERT INTO analytics_funnel_dirty (dj_profile_id, click_id)
    SELECT n.dj_profile_id, n.click_id FROM inserted_calls n WHERE n.click_id IS NOT NULL
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
  PERFORM set_config('djcalls.calls_summarised', '', true);

  -- Every recorded item's contact (made above, by an earlier item, or long ago; a statement
  -- of its own, so it sees a contact another transaction committed meanwhile), and the
  -- contact's outbound event when an endpoint listens.
  WITH input AS (
    SELECT t.* FROM unnest(p_caller, p_event_id, p_at, a_refold, a_owner)
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
  SELECT n.i::integer,
    CASE WHEN a_refold[n.i] THEN 'refold' ELSE 'recorded' END,
    CASE WHEN a_refold[n.i] OR a_owner[n.i] IS NULL THEN NULL ELSE p_call_id[n.i] END,
    CASE WHEN a_refold[n.i] THEN NULL ELSE a_owner[n.i] END,
    r.dj_profile_id, r.virtual_number, r.real_phone_number, r.dj_name, r.dj_slug,
    CASE WHEN a_refold[n.i] OR p_caller[n.i] IS NULL THEN NULL ELSE a_contact[n.i] END,
    CASE WHEN a_refold[n.i] OR p_caller[n.i] IS NULL OR a_owner[n.i] IS NULL THEN NULL
         ELSE a_contact[n.i] = a_contact_new[n.i] IS TRUE END,
    CASE WHEN a_refold[n.i] OR p_caller[n.i] IS NULL OR a_owner[n.i] IS NULL THEN NULL
         ELSE a_queued[n.i] END
    FROM generate_subscripts(p_call_sid, 1) AS n(i)
    LEFT JOIN LATERAL (
      SELECT v.dj_profile_id, v.virtual_number, v.real_phone_number, p.dj_name, p.dj_slug
        FROM dj_virtual_numbers v JOIN dj_profiles p ON p.id = v.dj_profile_id
       WHERE v.virtual_number = p_virtual_number[n.i] AND v.state = 'assigned' AND v.is_active
         AND v.real_phone_number IS NOT NULL
    ) r ON true
   ORDER BY n.i;
END
$$;

-- The statement triggers that summarise inserted calls skip a statement that summarised its
-- calls itself (the batch above, which sets `djcalls.calls_summarised` for its one statement).
-- Fired for a handful of rows, they cost more than the rows: PostgreSQL plans a trigger's
-- statements over transition tables again at every firing (measured 0.8 ms per batch).
DROP TRIGGER analytics_calls_inserted ON dj_calls;
CREATE TRIGGER analytics_calls_inserted AFTER INSERT ON dj_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (coalesce(current_setting('djcalls.calls_summarised', true), '') <> 'on')
  EXECUTE FUNCTION djcalls_analytics_calls_changed();
DROP TRIGGER funnel_calls_inserted ON dj_calls;
CREATE TRIGGER funnel_calls_inserted AFTER INSERT ON dj_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  WHEN (coalesce(current_setting('djcalls.calls_summarised', true), '') <> 'on')
  EXECUTE FUNCTION djcalls_funnel_calls_changed();

-- Only calls logged by hand carry a `logged_call_sid`; a webhook's call has none, and its NULL
-- needs no entry in the unique index (one index insertion less for every call recorded).
DROP INDEX dj_calls_logged_call_sid;
CREATE UNIQUE INDEX dj_calls_logged_call_sid ON dj_calls (dj_profile_id, logged_call_sid)
  WHERE logged_call_sid IS NOT NULL;
