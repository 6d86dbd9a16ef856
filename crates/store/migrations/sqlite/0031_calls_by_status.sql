-- The consoles' call list filtered by status (issue 9 part 4): the database filters it on this
-- index, newest first, instead of the application reading pages until enough matched. With a
-- DJ as well, the (dj_profile_id, timestamp, id) index serves and the status is checked on it.
CREATE INDEX dj_calls_status_time ON dj_calls (call_status, "timestamp" DESC, id DESC);
