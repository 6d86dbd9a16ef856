-- The foundation: DJ profiles, calls, virtual numbers, the payment ledger, users and API tokens,
-- and the row-level-security rule "a DJ sees only their own rows".
--
-- Timestamps are timestamptz; money is integer cents (bigint). The seed's dollar column
-- `tipjar_payment_amount` is kept, generated from the cents column, for people who query the
-- table directly.

-- No roles are created or granted here: a managed database's owner role may not. Queries run
-- as the connecting role (tables FORCE row-level security, so the owner is bound too) or, when
-- DJCALLS_DB_APP_ROLE is set, as that role, which Store::migrate grants table access to.

CREATE TABLE dj_profiles (
  id                uuid PRIMARY KEY,
  dj_name           text NOT NULL,
  dj_slug           text NOT NULL UNIQUE,
  is_published      boolean NOT NULL DEFAULT false,
  timezone          text NOT NULL DEFAULT 'America/New_York',
  real_phone_number text,
  product_context   text NOT NULL DEFAULT 'djdash' CHECK (product_context = 'djdash'),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);

CREATE TABLE dj_calls (
  id                          uuid PRIMARY KEY,
  dj_profile_id               uuid NOT NULL REFERENCES dj_profiles (id),
  virtual_number              text,
  caller_number               text,
  caller_name                 text,
  "timestamp"                 timestamptz NOT NULL,
  page_url                    text,
  event_type                  text,
  lead_score                  text NOT NULL DEFAULT 'hot' CHECK (lead_score IN ('hot', 'warm', 'cold')),
  is_booked                   boolean NOT NULL DEFAULT false,
  call_duration_seconds       integer CHECK (call_duration_seconds >= 0),
  call_status                 text NOT NULL DEFAULT 'ringing' CHECK (call_status IN
                                ('ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', 'voicemail')),
  call_sid                    text UNIQUE,
  tipjar_link_sent            boolean NOT NULL DEFAULT false,
  tipjar_link                 text,
  tipjar_payment_received     boolean NOT NULL DEFAULT false,
  tipjar_payment_amount_cents bigint NOT NULL DEFAULT 0,
  tipjar_payment_amount       numeric(14, 2) GENERATED ALWAYS AS (tipjar_payment_amount_cents / 100.0) STORED,
  product_context             text NOT NULL DEFAULT 'djdash' CHECK (product_context = 'djdash'),
  notes                       text,
  -- Beyond the seed: what the voice pipeline learns about a call.
  source                      text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'twilio', 'demo')),
  answered                    boolean NOT NULL DEFAULT false,
  talk_seconds                integer CHECK (talk_seconds >= 0),
  voicemail_left              boolean NOT NULL DEFAULT false,
  recording_sid               text,
  recording_duration_seconds  integer,
  transcription_status        text,
  transcription_text          text,
  attribution                 text,
  created_at                  timestamptz NOT NULL,
  updated_at                  timestamptz NOT NULL,
  UNIQUE (id, dj_profile_id)
);
-- The hot queries: one DJ's calls in a date range, newest first (list, analytics, cursor).
CREATE INDEX dj_calls_profile_time ON dj_calls (dj_profile_id, "timestamp" DESC, id DESC);
-- Platform-wide views (admin analytics, the admin call list).
CREATE INDEX dj_calls_time ON dj_calls ("timestamp" DESC, id DESC);

CREATE TABLE dj_virtual_numbers (
  id                      uuid PRIMARY KEY,
  dj_profile_id           uuid REFERENCES dj_profiles (id),
  virtual_number          text NOT NULL UNIQUE,
  twilio_phone_number_sid text UNIQUE,
  real_phone_number       text,
  is_active               boolean NOT NULL DEFAULT false,
  product_context         text NOT NULL DEFAULT 'djdash' CHECK (product_context = 'djdash'),
  state                   text NOT NULL CHECK (state IN ('available', 'assigned', 'cooling', 'released')),
  area_code               text,
  assigned_at             timestamptz,
  released_at             timestamptz,
  cooling_until           timestamptz,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  CHECK ((state = 'assigned') = (dj_profile_id IS NOT NULL AND is_active))
);
-- One active number per DJ, enforced by the database so concurrent assignments cannot race.
CREATE UNIQUE INDEX dj_virtual_numbers_one_per_dj ON dj_virtual_numbers (dj_profile_id) WHERE state = 'assigned';
CREATE INDEX dj_virtual_numbers_pool ON dj_virtual_numbers (state, area_code);

-- The money ledger: one row per provider payment or refund, in cents, with the platform cut
-- fixed when the row is written (a later change of PLATFORM_CUT_PERCENT does not rewrite history).
CREATE TABLE payments (
  id                  uuid PRIMARY KEY,
  call_id             uuid NOT NULL,
  dj_profile_id       uuid NOT NULL REFERENCES dj_profiles (id),
  provider            text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('payment', 'refund')),
  -- The provider's id for this movement of money: unique, so a webhook delivered twice records once.
  provider_entry_id   text NOT NULL,
  provider_payment_id text NOT NULL,
  amount_cents        bigint NOT NULL,
  platform_cut_cents  bigint NOT NULL,
  dj_share_cents      bigint NOT NULL,
  currency            text NOT NULL DEFAULT 'usd',
  created_at          timestamptz NOT NULL,
  UNIQUE (provider, provider_entry_id),
  -- A payment belongs to its call's DJ, never another's.
  FOREIGN KEY (call_id, dj_profile_id) REFERENCES dj_calls (id, dj_profile_id),
  CHECK (platform_cut_cents + dj_share_cents = amount_cents)
);
CREATE INDEX payments_call ON payments (call_id);

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('dj', 'admin')),
  created_at    timestamptz NOT NULL
);

-- Which profiles a DJ user owns. The profiles need not exist yet (SPEC §1 `user add`).
CREATE TABLE user_profiles (
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  dj_profile_id uuid NOT NULL,
  PRIMARY KEY (user_id, dj_profile_id)
);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  -- hex(SHA-256(token)); the token itself is shown once and never stored.
  token_hash   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Row-level security: the same rule as the application's, a second time.
-- app.role and app.dj_profile_ids are set per transaction with set_config(…, true).
CREATE FUNCTION djcalls_can_see(profile uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system')
      OR (coalesce(current_setting('app.role', true), '') = 'dj'
          AND profile = ANY (string_to_array(nullif(current_setting('app.dj_profile_ids', true), ''), ',')::uuid[]))
$$;

ALTER TABLE dj_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE dj_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY dj_profiles_tenant ON dj_profiles
  USING (djcalls_can_see(id)) WITH CHECK (djcalls_can_see(id));

ALTER TABLE dj_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE dj_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY dj_calls_tenant ON dj_calls
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

ALTER TABLE dj_virtual_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE dj_virtual_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY dj_virtual_numbers_tenant ON dj_virtual_numbers
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY payments_tenant ON payments
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));

-- Identity tables: only the service itself (authentication runs as 'system') and admins.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_platform ON users
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE user_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY user_profiles_platform ON user_profiles
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_platform ON api_tokens
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
