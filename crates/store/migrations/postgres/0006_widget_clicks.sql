-- Click-to-call events from the phone widget (`POST /api/djdash/clicks`, SPEC §7) and the
-- lookup that attributes an incoming call to the click before it (store/src/clicks.rs).
-- Written by the public endpoint as the system; read by the voice pipeline (system) and by
-- the DJ who owns the widget.
CREATE TABLE widget_clicks (
  id            uuid PRIMARY KEY,
  dj_profile_id uuid NOT NULL REFERENCES dj_profiles (id),
  page_url      text,
  referrer      text,
  visitor_id    text,
  utm_source    text,
  utm_medium    text,
  utm_campaign  text,
  utm_term      text,
  utm_content   text,
  gclid         text,
  -- The server's clock when the click arrived, never the browser's.
  clicked_at    timestamptz NOT NULL
);
-- The attribution lookup: a DJ's most recent clicks before a call.
CREATE INDEX widget_clicks_profile_time ON widget_clicks (dj_profile_id, clicked_at DESC);

ALTER TABLE widget_clicks ENABLE ROW LEVEL SECURITY;
ALTER TABLE widget_clicks FORCE ROW LEVEL SECURITY;
CREATE POLICY widget_clicks_tenant ON widget_clicks
  USING (djcalls_can_see(dj_profile_id)) WITH CHECK (djcalls_can_see(dj_profile_id));
