//! Ad conversions valued at the payment (SPEC §14), against the fake GA4 and Meta servers of
//! `testkit::ad_platforms` over HTTP, on both backends: a TipJar payment webhook to an app
//! configured with both platforms, then the job runner.

mod sends;
mod support;
