//! Background jobs (`jobs` table): the durable outbox of the follow-up SMS and friends.
