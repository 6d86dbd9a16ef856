//! HTTP API integration tests: the real app on a real port, spoken to with reqwest, on SQLite
//! and (when a server answers) PostgreSQL. One binary; each test owns its own database.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod support;

    mod bad_input;
}
