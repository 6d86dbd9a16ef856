-- Click-to-call events from the phone widget (see the PostgreSQL twin).
CREATE TABLE widget_clicks (
  id            BLOB PRIMARY KEY,
  dj_profile_id BLOB NOT NULL REFERENCES dj_profiles (id),
  page_url      TEXT,
  referrer      TEXT,
  visitor_id    TEXT,
  utm_source    TEXT,
  utm_medium    TEXT,
  utm_campaign  TEXT,
  utm_term      TEXT,
  utm_content   TEXT,
  gclid         TEXT,
  clicked_at    INTEGER NOT NULL
);
CREATE INDEX widget_clicks_profile_time ON widget_clicks (dj_profile_id, clicked_at DESC);
