//! Payment links and payment webhooks end to end (SPEC §8, issue 4 parts 4–5): `/pay/<token>`
//! with the simulator, a fake Stripe and a fake TipJar; the simulated checkout page; Stripe and
//! TipJar webhooks with their signature negatives; the ledger as the API shows it (the call's
//! payment fields and the analytics figures). The real app on a real port; the stories that
//! write the ledger run on SQLite and (when a server answers) PostgreSQL.
#![allow(clippy::unwrap_used)]

mod amounts;
mod currency;
mod links;
mod pending_refunds;
mod providers;
mod stripe;
pub(crate) mod support;
mod tipjar;
