//! Provider webhooks end to end: Twilio voice and SMS, the follow-up text they lead to (with
//! the simulator and with the real Twilio client against a fake server), payment links and
//! the Stripe and TipJar webhooks; calls connected while the service was down, reconciled
//! from Twilio's call log; calls connected while the database could not take writes; bad
//! signatures on every webhook route, which write nothing. One binary, one module per topic.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod call_quality;
mod contacts;
mod conversions;
mod experiments;
mod fallback;
mod followup;
mod followup_over_http;
mod outage;
mod outbound;
mod payments;
mod signatures_everywhere;
mod voice;
