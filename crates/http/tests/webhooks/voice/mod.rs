//! The Twilio voice pipeline over HTTP: signed webhook sequences for each outcome, duplicated,
//! shuffled and concurrent, on SQLite and PostgreSQL; signature refusals; the TwiML answers.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod insights;
mod projection;
mod redaction;
mod sequences;
mod signatures;
mod squatting;
pub(crate) mod support;
mod transcripts;
mod twiml;
