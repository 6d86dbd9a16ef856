//! The dashboards in headless Chromium (issue 5, SPEC §9), against the real app with the demo
//! world: a DJ signs in through the form and sees the analytics API's figures for the same
//! range, switches the range with the page's own control, and watches a simulated call arrive
//! without a reload; another DJ's call page and the admin console are refused; an admin buys
//! pool numbers and retries a dead job from the console, and reads and runs the A/B tests; the
//! dashboard fits a phone and the sign-in form works from the keyboard. Screenshots go to
//! `test-artifacts/screenshots/dashboard-*.png`.
//!
//! Skipped with a notice when Chromium is not installed (see `djcalls_testkit::browser`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod access;
mod call_edit;
mod charts;
mod contacts;
mod experiments;
mod figures;
mod followup;
mod phone;
mod reports;
mod sign_in_link;
mod support;
mod texts;
mod webhooks;
