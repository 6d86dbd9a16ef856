-- PostgreSQL's 0018 adds djcalls_record_incoming_batch (concurrent incoming calls in one
-- transaction). SQLite has no stored functions and takes the general path; the file keeps both
-- migration trees on the same versions.
SELECT 1;
