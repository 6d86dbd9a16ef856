//! A/B tests of the follow-up text (SPEC §13) end to end: the API (create with its 400s naming
//! the field, start/stop, one running at a time), the variant each call's thank-you text gets
//! (deterministic across retries of the job, the split honoured, the language rule), and the
//! figures after texts, link opens and payments, with the winner's test. Both backends.
#![allow(clippy::unwrap_used)]

mod api;
mod assignment;
mod figures;
pub(crate) mod support;
