//! The top-DJ table (SPEC §6, admin) from the summaries: whole 32-day blocks from
//! `analytics_dj_blocks`, the days around them from the day table, the pending deltas, and
//! the pieces of a range smaller than a day counted from the calls.

use super::measures::{BLOCK_MEASURES, Binds, list, sums, within};
use super::recount::TopDj;
use super::rollup::narrowed;
use crate::{Store, StoreResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::rollup_plan::{self, DAY_MICROS};
use djcalls_domain::{Actor, DjProfileId};
use std::collections::HashMap;

impl Store {
    /// The DJs with the most revenue (then the most calls, then by slug) in `range`.
    pub async fn top_djs(
        &self,
        actor: &Actor,
        range: &DateRange,
        limit: i64,
    ) -> StoreResult<Vec<TopDj>> {
        let split = rollup_plan::split(range.start, range.end, DAY_MICROS);
        let mut totals: HashMap<uuid::Uuid, [i64; 4]> = HashMap::new();
        if let Some(days) = split.whole {
            let (blocks, rest) = rollup_plan::blocks(days);
            let mut binds = Binds::after(0);
            let in_blocks = within("block", blocks.as_slice(), 1, &mut binds);
            let in_days = within("day", &rest, 1, &mut binds);
            let in_hours = within("hour", &[days], 24, &mut binds);
            let m = list(&BLOCK_MEASURES, "");
            let sql = format!(
                "SELECT t.dj_profile_id, {sums} FROM ( \
                   SELECT dj_profile_id, {m} FROM analytics_dj_blocks WHERE {in_blocks} \
                   UNION ALL SELECT dj_profile_id, {m} FROM analytics_dj_days WHERE {in_days} \
                   UNION ALL SELECT dj_profile_id, {m} FROM analytics_deltas WHERE {in_hours} \
                 ) t GROUP BY t.dj_profile_id",
                sums = sums(&BLOCK_MEASURES, "t."),
            );
            type Row = (uuid::Uuid, i64, i64, i64, i64);
            for (id, calls, booked, revenue, cut) in
                fetch_all!(self, actor, Row, sql, None, binds.values)
            {
                let t = totals.entry(id).or_default();
                *t = [t[0] + calls, t[1] + booked, t[2] + revenue, t[3] + cut];
            }
        }
        for piece in split.raw {
            for dj in self
                .top_djs_recount(
                    actor,
                    &narrowed(range, Some(piece.0), Some(piece.1)),
                    i64::MAX,
                )
                .await?
            {
                let t = totals.entry(dj.dj_profile_id.0).or_default();
                *t = [
                    t[0] + dj.calls,
                    t[1] + dj.booked,
                    t[2] + dj.revenue_cents,
                    t[3] + dj.platform_cut_cents,
                ];
            }
        }
        let names = fetch_all!(
            self,
            actor,
            (uuid::Uuid, String, String),
            "SELECT id, dj_name, dj_slug FROM dj_profiles".to_string(),
            None,
            Vec::<i64>::new()
        );
        let mut top: Vec<TopDj> = names
            .into_iter()
            .filter_map(|(id, dj_name, dj_slug)| {
                let [calls, booked, revenue_cents, platform_cut_cents] = *totals.get(&id)?;
                (calls > 0).then_some(TopDj {
                    dj_profile_id: DjProfileId(id),
                    dj_name,
                    dj_slug,
                    calls,
                    booked,
                    revenue_cents,
                    platform_cut_cents,
                })
            })
            .collect();
        top.sort_by(|a, b| {
            (b.revenue_cents, b.calls)
                .cmp(&(a.revenue_cents, a.calls))
                .then_with(|| a.dj_slug.cmp(&b.dj_slug))
        });
        top.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(top)
    }
}
