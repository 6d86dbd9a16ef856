//! SPEC §15 reports over HTTP: revenue by source with spend (`sources`), the booking funnel
//! with the DNI counters (`funnel`). Both on SQLite and PostgreSQL.

mod funnel;
mod sources;
mod support;
