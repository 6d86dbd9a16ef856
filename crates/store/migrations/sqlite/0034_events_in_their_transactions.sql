-- The delivery log's retention (store/src/webhooks/deliveries.rs, `prune_webhook_deliveries`)
-- deletes the deliveries that finished before a cutoff and wait for no attempt: this index holds
-- exactly those rows, by the instant they finished, so the hourly prune reads only what it
-- deletes instead of the whole log. The instant is a generated column rather than an index on
-- the expression: PostgreSQL does not use `coalesce(…) < $1` as an index condition under
-- row-level security (it is not leakproof), while a plain column comparison it does.
ALTER TABLE webhook_deliveries ADD COLUMN finished_at INTEGER
  GENERATED ALWAYS AS (coalesce(delivered_at, failed_at)) VIRTUAL;
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)
  WHERE next_attempt_at IS NULL;

-- (On PostgreSQL this migration also makes the one-statement `incoming` enqueue the caller's
-- contact event; SQLite records `incoming` on the general path, which already does.)
