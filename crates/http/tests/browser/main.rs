//! The dashboards and the phone widget in headless Chromium. Skipped with a notice when
//! Chromium is not installed (see `djcalls_testkit::browser`). One binary, one module per page.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod api_docs;
mod dashboard;
mod widget;
