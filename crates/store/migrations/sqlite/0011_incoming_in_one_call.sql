-- PostgreSQL's 0011 adds djcalls_record_incoming, the incoming webhook in one round trip.
-- SQLite is in-process (no round trips to save) and has no stored functions: its incoming path
-- is the general one in store/src/voice/mod.rs, so this version changes nothing here. The file
-- exists so that both migration trees keep the same versions.
SELECT 1;
