//! The virtual-number pool in the store, on SQLite and (when a server answers) PostgreSQL:
//! claims with area-code preference, cooling, release, purchase reservations, the call-flow
//! lookup, and races between concurrent claims.
#![allow(clippy::unwrap_used)]

mod claims;
mod contacts;
mod incoming;
mod isolation;
mod projection;
mod stock;
mod support;
mod tenures;
