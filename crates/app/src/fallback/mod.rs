//! Calls that connect when the whole service is down (SPEC §10):
//!
//! - `export`: the static TwiML each assigned number falls back to (`djcalls fallback export`),
//!   served from any static host at `TWILIO_VOICE_FALLBACK_BASE_URL`, which every number we
//!   buy, assign or reconfigure gets as its `VoiceFallbackUrl` (`App::number_urls`).
//! - `reconcile`: afterwards, the calls Twilio connected that way are found in its call log and
//!   recorded once, with source `fallback` (`djcalls reconcile`, and the job of `job`).

mod export;
mod job;
mod reconcile;

pub use export::{ExportReport, FallbackFile, is_fallback_file_name, write_fallback_dir};
pub use job::{RECONCILE_EVERY, RECONCILE_WINDOW, ReconcileCalls};
pub use reconcile::ReconcileReport;
