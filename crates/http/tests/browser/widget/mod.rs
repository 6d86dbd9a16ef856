//! The phone widget in headless Chromium (issue 5): a plain HTML page on another origin embeds
//! `dni.js` and shows the virtual numbers, never the real one, on a phone and on a desktop;
//! all numbers come from one request; a click records an event without holding up the dial;
//! with the API unreachable the fallback (or the form text) shows. Screenshots go to
//! `test-artifacts/screenshots/widget-*.png`.
//!
//! Topology: the app (port A) sits behind a small counting "front" proxy (port F) — the
//! origin the page loads `dni.js` from, so the script's own origin detection is exercised and
//! requests are counted server-side — and the page itself is served from a third origin (P).
//!
//! Skipped with a notice when Chromium is not installed (see `djcalls_testkit::browser`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod clicks;
mod display;
mod nesting;
mod support;
