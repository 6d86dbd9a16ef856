-- PostgreSQL only (its batched `incoming` inserts the calls of a batch in one statement);
-- SQLite records `incoming` on the general path and has nothing to change.
SELECT 1;
