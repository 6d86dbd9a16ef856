//! What a browser fetches, over plain HTTP: the dashboards (sign-in, forms, live updates) and
//! the phone widget (`dni.js`, its public endpoints, click attribution). One binary, one module
//! per topic.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod web;
mod widget;
