//! The phone widget over HTTP (SPEC §7): `/dni.js` and its cache headers, CORS of the public
//! widget endpoints, `POST /api/djdash/clicks` validation and rate limit, and the attribution
//! of a call to the click before it.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod attribution;
mod clicks;
mod script;
mod support;
