//! The rows a §6 read sums over whole UTC days, for `rollup.rs`: per event type (blocks, days
//! and pending deltas) and per day (day totals and pending deltas). Everything spliced into SQL
//! is a static name or a `$n` placeholder.

use super::measures::{Binds, DAY_TOTAL_MEASURES, MEASURES, list, within};
use super::rollup::Scope;
use djcalls_domain::rollup_plan::{self, Span};

/// Rows `event_type, <MEASURES>` that add up to the figures of whole UTC days `days` per event
/// type: for a DJ, whole 32-day blocks from the type-block table and the days around them from
/// the day table (an all-time answer reads a few rows per event type); for the platform, the
/// day table; and the pending deltas.
pub(super) fn type_rows(scope: Scope, days: Span, binds: &mut Binds) -> String {
    let (mine, measures) = (scope.mine(), list(&MEASURES, ""));
    let hour_range = within("hour", &[days], 24, binds);
    let deltas =
        format!("SELECT event_type, {measures} FROM analytics_deltas WHERE {mine}{hour_range}");
    match scope {
        Scope::Dj(_) => {
            let (blocks, rest) = rollup_plan::blocks(days);
            let in_blocks = within("block", blocks.as_slice(), 1, binds);
            let in_days = within("day", &rest, 1, binds);
            format!(
                "SELECT event_type, {measures} FROM analytics_dj_type_blocks \
                 WHERE {mine}{in_blocks} \
                 UNION ALL SELECT event_type, {measures} FROM analytics_dj_days \
                 WHERE {mine}{in_days} \
                 UNION ALL {deltas}"
            )
        }
        Scope::Platform => {
            let day_range = within("day", &[days], 1, binds);
            format!(
                "SELECT event_type, {measures} FROM analytics_platform_days \
                 WHERE {mine}{day_range} UNION ALL {deltas}"
            )
        }
    }
}

/// Rows `day, calls, booked, answered, revenue_cents` over whole UTC days `days` (a day may
/// have several), pending deltas included.
pub(super) fn day_rows(scope: Scope, days: Span, binds: &mut Binds) -> String {
    let mine = scope.mine();
    let day_range = within("day", &[days], 1, binds);
    let hour_range = within("hour", &[days], 24, binds);
    let table = match scope {
        Scope::Dj(_) => "analytics_dj_day_totals",
        Scope::Platform => "analytics_platform_days",
    };
    let m = list(&DAY_TOTAL_MEASURES, "");
    format!(
        "SELECT day, {m} FROM {table} WHERE {mine}{day_range} \
         UNION ALL SELECT hour / 24, {m} FROM analytics_deltas WHERE {mine}{hour_range}"
    )
}
