//! The virtual-number API end to end (SPEC §3, §5): the pool's lifecycle, assignment with
//! area-code preference, on-demand purchase with its cap, races, publish-on-PUT, the public
//! view and the DNI batch. The real app on a real port, with simulated Twilio; the stories that
//! involve concurrency or SQL run on SQLite and (when a server answers) PostgreSQL.
#![allow(clippy::unwrap_used)]

mod abuse;
mod access;
mod dni_cache;
mod fallback_url;
mod pool;
mod purchase;
mod support;
