//! The JSON API over HTTP: the real app on a real port, spoken to with reqwest, on SQLite and
//! (when a server answers) PostgreSQL. One binary with a module per resource; each test owns
//! its own database.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

pub mod support;

mod admin;
mod analytics;
mod auth;
mod bad_input;
mod calls;
mod calls_export;
mod calls_export_pages;
mod connections;
mod contacts;
mod contacts_export;
mod numbers;
mod openapi;
mod ops;
mod profiles;
mod reports;
mod sign_in_links;
