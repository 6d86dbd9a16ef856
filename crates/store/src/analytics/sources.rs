//! Revenue by source (SPEC §15) from the source summaries: whole UTC days from
//! `analytics_*_source_days` plus the pending deltas, the pieces of a range smaller than a day
//! counted from the calls (`Store::source_figures_recount`).

use super::measures::{Binds, SOURCE_MEASURES, within};
use super::rollup::{Scope, narrowed};
use crate::{Store, StoreResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::reports::{SourceFigures, SourceKey};
use djcalls_domain::rollup_plan::{self, DAY_MICROS};
use djcalls_domain::{Actor, DjProfileId};
use std::collections::BTreeMap;

type Key = (String, String, String);
type Row = (String, String, String, i64, i64, i64, i64, i64);

impl Store {
    /// Calls, answered, booked, paid and revenue per source over `profile`'s calls (or the
    /// platform's) in `range`, sources without calls left out.
    pub async fn source_figures(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> StoreResult<Vec<SourceFigures>> {
        let split = rollup_plan::split(range.start, range.end, DAY_MICROS);
        let mut totals: BTreeMap<Key, [i64; 5]> = BTreeMap::new();
        let mut add = |key: Key, figures: [i64; 5]| {
            let t = totals.entry(key).or_default();
            for (sum, n) in t.iter_mut().zip(figures) {
                *sum += n;
            }
        };
        if let Some(days) = split.whole {
            let scope = Scope::of(profile);
            let mut binds: Binds = scope.binds();
            let day_range = within("day", &[days], 1, &mut binds);
            let hour_range = within("hour", &[days], 24, &mut binds);
            let mine = scope.mine();
            let table = match scope {
                Scope::Dj(_) => "analytics_dj_source_days",
                Scope::Platform => "analytics_platform_source_days",
            };
            let names = SOURCE_MEASURES.map(|(n, _)| n).join(", ");
            let deltas = SOURCE_MEASURES.map(|(_, d)| d).join(", ");
            let sums = SOURCE_MEASURES
                .map(|(n, _)| format!("CAST(sum(t.{n}) AS BIGINT)"))
                .join(", ");
            let sql = format!(
                "SELECT t.source, t.medium, t.campaign, {sums} FROM ( \
                   SELECT source, medium, campaign, {names} FROM {table} WHERE {mine}{day_range} \
                   UNION ALL SELECT source, medium, campaign, {deltas} FROM analytics_deltas \
                   WHERE {mine}{hour_range} \
                 ) t GROUP BY t.source, t.medium, t.campaign"
            );
            let rows = fetch_all!(self, actor, Row, sql, scope.profile(), binds.values);
            for (source, medium, campaign, calls, answered, booked, paid, revenue) in rows {
                add(
                    (source, medium, campaign),
                    [calls, answered, booked, paid, revenue],
                );
            }
        }
        for piece in split.raw {
            let counted = self
                .source_figures_recount(
                    actor,
                    profile,
                    &narrowed(range, Some(piece.0), Some(piece.1)),
                )
                .await?;
            for f in counted {
                let text = |s: Option<String>| s.unwrap_or_default();
                let key = (text(f.key.source), text(f.key.medium), text(f.key.campaign));
                add(
                    key,
                    [f.calls, f.answered, f.booked, f.paid, f.revenue_cents],
                );
            }
        }
        let present = |s: String| (!s.is_empty()).then_some(s);
        Ok(totals
            .into_iter()
            .filter(|(_, [calls, ..])| *calls != 0)
            .map(
                |((source, medium, campaign), [calls, answered, booked, paid, revenue_cents])| {
                    SourceFigures {
                        key: SourceKey {
                            source: present(source),
                            medium: present(medium),
                            campaign: present(campaign),
                        },
                        calls,
                        answered,
                        booked,
                        paid,
                        revenue_cents,
                    }
                },
            )
            .collect())
    }
}
