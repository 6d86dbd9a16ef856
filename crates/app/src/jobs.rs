//! Durable background jobs: enqueue in the same transaction, claim atomically, retry with backoff.
