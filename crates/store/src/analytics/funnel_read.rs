//! The funnel read from its summaries (migration 0036), in one statement: the clicks of whole
//! UTC days from the day tables, the clicks of the pieces of a range smaller than a day from
//! the kept journeys, and for the clicks marked dirty since the last fold their journey now
//! minus the one kept. A read for another `FOLLOWUP_MIN_TALK_SECONDS` than the summaries hold
//! counts from the calls (`reports/funnel.rs`).

use super::funnel_sql::{STAGES, journeys, keys, stage_list};
use super::rollup::Scope;
use crate::{DbTime, Store, StoreResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::reports::Funnel;
use djcalls_domain::rollup_plan::{self, DAY_MICROS};
use djcalls_domain::{Actor, DjProfileId};
use jiff::Timestamp;
use sqlx::AssertSqlSafe;

/// A value bound to the read, in placeholder order.
enum Arg {
    Int(i64),
    Time(DbTime),
}

#[derive(Default)]
struct Args(Vec<Arg>);

impl Args {
    /// Placeholders start after the profile (`$1`, bound even for the platform).
    fn push(&mut self, arg: Arg) -> String {
        self.0.push(arg);
        format!("${}", self.0.len() + 1)
    }

    /// `col >= $n AND col < $m` over `[start, end)`, either side open.
    fn between(&mut self, col: &str, start: Option<Timestamp>, end: Option<Timestamp>) -> String {
        let mut parts = Vec::new();
        if let Some(s) = start {
            parts.push(format!("{col} >= {}", self.push(Arg::Time(DbTime(s)))));
        }
        if let Some(e) = end {
            parts.push(format!("{col} < {}", self.push(Arg::Time(DbTime(e)))));
        }
        if parts.is_empty() {
            "1 = 1".into()
        } else {
            format!("({})", parts.join(" AND "))
        }
    }
}

type Row = (Option<i64>, i64, i64, i64, i64, i64, i64, i64, i64, i64);

impl Store {
    /// The clicks and the stages below them of `profile` (or the platform) in `range`, from
    /// the summaries; `None` when they are kept for another threshold than `min_talk_secs`.
    pub(crate) async fn funnel_from_summaries(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
        min_talk_secs: u32,
    ) -> StoreResult<Option<Funnel>> {
        let talk = i64::from(min_talk_secs);
        let scope = Scope::of(profile);
        let mut args = Args::default();
        let talk_at = args.push(Arg::Int(talk));
        let (mine, mine_k) = match scope {
            Scope::Dj(_) => ("dj_profile_id = $1 AND ", "k.dj_profile_id = $1 AND "),
            Scope::Platform => ("$1 IS NULL AND ", "$1 IS NULL AND "),
        };
        let stages = stage_list("");
        let mut parts = Vec::new();
        let split = rollup_plan::split(range.start, range.end, DAY_MICROS);
        if let Some(days) = split.whole {
            let table = match scope {
                Scope::Dj(_) => "analytics_funnel_dj_days",
                Scope::Platform => "analytics_funnel_platform_days",
            };
            let mut bounds = vec!["1 = 1".to_string()];
            if let Some(from) = days.from {
                bounds.push(format!("day >= {}", args.push(Arg::Int(from))));
            }
            if let Some(to) = days.to {
                bounds.push(format!("day < {}", args.push(Arg::Int(to))));
            }
            parts.push(format!(
                "SELECT clicks, {stages} FROM {table} WHERE {mine}{}",
                bounds.join(" AND ")
            ));
        }
        for (start, end) in split.raw {
            let within = args.between("clicked_at", Some(start), Some(end));
            parts.push(format!(
                "SELECT 1 AS clicks, {stages} FROM analytics_funnel_clicks WHERE {mine}{within}"
            ));
        }
        let dirty = "SELECT click_id FROM analytics_funnel_dirty";
        let now_within = args.between("k.clicked_at", range.start, range.end);
        let now = journeys(
            &keys(&self.pool),
            &format!("{mine_k}{now_within} AND k.id IN ({dirty})"),
            &talk_at,
        );
        parts.push(format!("SELECT 1 AS clicks, {stages} FROM ({now}) j"));
        let kept_within = args.between("clicked_at", range.start, range.end);
        let negated = STAGES
            .iter()
            .map(|s| format!("-{s}"))
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(format!(
            "SELECT -1 AS clicks, {negated} FROM analytics_funnel_clicks \
             WHERE {mine}{kept_within} AND click_id IN ({dirty})"
        ));
        let shown = shown_sql(scope, range, &mut args);
        let sums = std::iter::once("clicks")
            .chain(STAGES)
            .map(|s| format!("CAST(coalesce(sum(t.{s}), 0) AS BIGINT)"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT (SELECT CAST(min_talk_seconds AS BIGINT) FROM analytics_funnel_settings), \
             ({shown}), {sums} FROM ({}) t",
            parts.join(" UNION ALL ")
        );
        let profile = scope.profile();
        let row: Row = in_tx!(self, actor, replica, |conn| {
            let mut q = sqlx::query_as::<_, Row>(AssertSqlSafe(sql.clone())).bind(profile);
            for arg in &args.0 {
                q = match arg {
                    Arg::Int(v) => q.bind(*v),
                    Arg::Time(t) => q.bind(DbTime(t.0)),
                };
            }
            q.fetch_one(&mut *conn).await?
        });
        let (kept, shown, clicks, calls, answered, conversations, links_sent, links_opened) =
            (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
        let (paid, revenue) = (row.8, row.9);
        if kept != Some(talk) {
            return Ok(None);
        }
        Ok(Some(Funnel {
            // Every click's token came from a DNI answer: a click whose answer was counted
            // before the range (or not flushed before a crash) was shown all the same.
            numbers_shown: shown.max(clicks),
            clicks,
            calls,
            answered,
            conversations,
            links_sent,
            links_opened,
            paid,
            revenue_cents: revenue,
        }))
    }
}

/// The sum of "numbers shown" of `scope` in `range`: whole UTC days from the day tables,
/// the rest from the quarter-hour counts (a count is in the range when its quarter-hour
/// begins in it).
fn shown_sql(scope: Scope, range: &DateRange, args: &mut Args) -> String {
    let (days_table, mine) = match scope {
        Scope::Dj(_) => ("numbers_shown_dj_days", "dj_profile_id = $1 AND "),
        Scope::Platform => ("numbers_shown_platform_days", "$1 IS NULL AND "),
    };
    let mut parts = Vec::new();
    let split = rollup_plan::split(range.start, range.end, DAY_MICROS);
    if let Some(days) = split.whole {
        let mut bounds = vec!["1 = 1".to_string()];
        if let Some(from) = days.from {
            bounds.push(format!("day >= {}", args.push(Arg::Int(from))));
        }
        if let Some(to) = days.to {
            bounds.push(format!("day < {}", args.push(Arg::Int(to))));
        }
        parts.push(format!(
            "SELECT shown FROM {days_table} WHERE {mine}{}",
            bounds.join(" AND ")
        ));
    }
    let mine_n = match scope {
        Scope::Dj(_) => "dj_profile_id = $1 AND ",
        Scope::Platform => "",
    };
    for (start, end) in split.raw {
        let within = args.between("bucket", Some(start), Some(end));
        parts.push(format!(
            "SELECT shown FROM numbers_shown WHERE {mine_n}{within}"
        ));
    }
    if parts.is_empty() {
        return "SELECT 0".into();
    }
    format!(
        "SELECT CAST(coalesce(sum(s.shown), 0) AS BIGINT) FROM ({}) s",
        parts.join(" UNION ALL ")
    )
}
