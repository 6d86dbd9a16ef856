//! HTTP API integration tests: the real app on a real port, spoken to with reqwest, on SQLite
//! and (when a server answers) PostgreSQL. One binary; each test owns its own database.

mod api {
    pub mod support;

    mod analytics;
    mod auth;
    mod bad_input;
    mod calls;
    mod ops;
    mod profiles;
}
