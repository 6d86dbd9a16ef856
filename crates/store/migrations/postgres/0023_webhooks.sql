-- Outbound webhooks (SPEC §14, Standard Webhooks). An endpoint is a URL subscribed to event
-- types, with its signing secret (`whsec_…`, kept to sign; shown to its creator once). An
-- endpoint is disabled after its deliveries failed for 3 days, and deleted with its log.
CREATE TABLE webhook_endpoints (
  id              uuid PRIMARY KEY,
  url             text NOT NULL,
  -- The subscribed event types, as a JSON array of strings.
  events          text NOT NULL,
  secret          text NOT NULL,
  created_at      timestamptz NOT NULL,
  disabled_at     timestamptz,
  disabled_reason text
);

-- One row per (endpoint, event): the delivery log. `event_id` is the `webhook-id`, the same on
-- every attempt; `body` the exact bytes signed and sent. `next_attempt_at` is set while a retry
-- is scheduled; `delivered_at` or `failed_at` once settled.
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY,
  endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  body            text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  next_attempt_at timestamptz,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz,
  failed_at       timestamptz,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (endpoint_id, created_at);

-- Platform data: managed by admins and the service, delivered by jobs (as 'system').
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_platform ON webhook_endpoints
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_platform ON webhook_deliveries
  USING (coalesce(current_setting('app.role', true), '') IN ('service', 'admin', 'system'));
