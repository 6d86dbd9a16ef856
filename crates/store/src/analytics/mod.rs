//! SPEC §6 analytics at any volume (issue 9). Triggers write each change's contribution to
//! `analytics_deltas` in the writer's transaction (migration 0035); `fold` moves them into
//! per-day, per-hour and per-block summaries; `rollup` answers from the summaries plus the
//! pending deltas, and counts only the pieces of a range smaller than a day from the calls
//! (`recount`); `verify` compares the summaries with a full recount.

mod fold;
mod measures;
mod recount;
mod rollup;
mod verify;

pub use recount::TopDj;
pub use verify::SummaryCheck;
