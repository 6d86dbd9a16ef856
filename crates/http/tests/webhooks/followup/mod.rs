//! The TipJar follow-up SMS and inbound SMS end to end: signed Twilio webhooks into the running
//! app, jobs drained with `run_due_jobs` under a fixed clock, texts read back from the
//! simulated Twilio. Exactly one text per qualifying call under duplicates, retries and a
//! restart; none for short, missed, logged or opted-out calls; quiet hours; the 24 h rule;
//! STOP/START/HELP and status callbacks.
#![allow(clippy::unwrap_used)]

mod delivery;
pub(crate) mod languages;
mod leftovers;
mod replies;
mod rules;
pub(crate) mod support;
mod texts_api;
mod two_way;
mod two_way_refusals;
