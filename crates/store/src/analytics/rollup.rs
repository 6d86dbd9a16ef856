//! SPEC §6 read from the summaries: whole UTC days from the day tables, local days from the
//! hour tables (by hour, or by quarter of an hour for zones such as +05:30), the pieces of a
//! range smaller than a day counted from the calls (`recount`). Each read adds the deltas not
//! yet folded in the same statement, so it sees every committed write exactly once.

use super::measures::{
    Binds, DAY_TOTAL_MEASURES, MEASURES, Measures, QUARTER_MEASURES, list, sums, within,
};
use super::whole_days::{day_rows, type_rows};
use crate::{Store, StoreResult};
use djcalls_domain::analytics::{CallFigures, DayFigures};
use djcalls_domain::range::{DateRange, offset_segments};
use djcalls_domain::rollup_plan::{
    self, DAY_MICROS, HOUR_MICROS, Span, date_of_day, day_unit, instant,
};
use djcalls_domain::{Actor, DjProfileId};
use jiff::Timestamp;

/// Whose summaries a read uses.
#[derive(Clone, Copy)]
pub(super) enum Scope {
    Dj(uuid::Uuid),
    Platform,
}

impl Scope {
    pub(super) fn of(profile: Option<DjProfileId>) -> Scope {
        profile.map_or(Scope::Platform, |p| Scope::Dj(p.0))
    }
    pub(super) fn days_table(self) -> &'static str {
        match self {
            Scope::Dj(_) => "analytics_dj_days",
            Scope::Platform => "analytics_platform_days",
        }
    }
    pub(super) fn hours_table(self) -> &'static str {
        match self {
            Scope::Dj(_) => "analytics_dj_hours",
            Scope::Platform => "analytics_platform_hours",
        }
    }
    /// The predicate that keeps one DJ's rows (bound as `$1`), or nothing for the platform.
    pub(super) fn mine(self) -> &'static str {
        match self {
            Scope::Dj(_) => "dj_profile_id = $1 AND ",
            Scope::Platform => "",
        }
    }
    pub(super) fn binds(self) -> Binds {
        Binds::after(match self {
            Scope::Dj(_) => 1,
            Scope::Platform => 0,
        })
    }
    pub(super) fn profile(self) -> Option<uuid::Uuid> {
        match self {
            Scope::Dj(id) => Some(id),
            Scope::Platform => None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct UtcRow {
    part: i64,
    event_type: String,
    day: i64,
    #[sqlx(flatten)]
    m: Measures,
}

#[derive(sqlx::FromRow)]
struct BoundedTotals {
    first_day: Option<i64>,
    last_day: Option<i64>,
    #[sqlx(flatten)]
    totals: TypeTotals,
}

#[derive(sqlx::FromRow)]
struct TypeTotals {
    event_type: String,
    #[sqlx(flatten)]
    m: Measures,
}

/// `range` (its zone) limited to `[start, end)`.
pub(super) fn narrowed(
    range: &DateRange,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
) -> DateRange {
    DateRange {
        start,
        end,
        tz: range.tz.clone(),
        tz_name: range.tz_name.clone(),
    }
}

impl Store {
    /// Everything SPEC §6 needs for `profile` (or the whole platform) in `range`.
    pub async fn call_figures(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> StoreResult<CallFigures> {
        let split = rollup_plan::split(range.start, range.end, DAY_MICROS);
        let mut figures = CallFigures::default();
        if let Some(days) = split.whole
            && range.tz.to_fixed_offset().ok() == Some(jiff::tz::Offset::UTC)
        {
            figures = self.summed_utc(actor, Scope::of(profile), days).await?;
        } else if let Some(days) = split.whole {
            let scope = Scope::of(profile);
            let data_days;
            (figures, data_days) = self.summed(actor, scope, days).await?;
            figures.days = match self
                .local_days(actor, scope, days, data_days, range)
                .await?
            {
                Some(days) => days,
                // A zone whose offset changes inside a quarter of an hour: count its days.
                None => {
                    let whole = narrowed(
                        range,
                        days.from.map(|d| instant(d * DAY_MICROS)),
                        days.to.map(|d| instant(d * DAY_MICROS)),
                    );
                    self.call_figures_recount(actor, profile, &whole)
                        .await?
                        .days
                }
            };
        }
        for piece in split.raw {
            let counted = self
                .call_figures_recount(
                    actor,
                    profile,
                    &narrowed(range, Some(piece.0), Some(piece.1)),
                )
                .await?;
            figures = figures.merge(counted);
        }
        Ok(figures)
    }

    /// [`Store::summed`] and the UTC days' calls, answered, booked and revenue, in one
    /// statement (one transaction, one round trip): UTC days are the day tables' own rows.
    async fn summed_utc(
        &self,
        actor: &Actor,
        scope: Scope,
        days: Span,
    ) -> StoreResult<CallFigures> {
        let mut binds = scope.binds();
        let types = type_rows(scope, days, &mut binds);
        let per_day_rows = day_rows(scope, days, &mut binds);
        // Per day only the day chart's figures; the others are the event-type rows'.
        let per_day = MEASURES
            .iter()
            .map(|m| {
                if DAY_TOTAL_MEASURES.contains(m) {
                    format!("CAST(sum(d.{m}) AS BIGINT) AS {m}")
                } else {
                    format!("CAST(0 AS BIGINT) AS {m}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT CAST(0 AS BIGINT) AS part, t.event_type, CAST(0 AS BIGINT) AS day, {sums} \
             FROM ({types}) t GROUP BY t.event_type \
             UNION ALL \
             SELECT CAST(1 AS BIGINT), '', d.day, {per_day} FROM ({per_day_rows}) d GROUP BY d.day",
            sums = sums(&MEASURES, "t."),
        );
        let rows = fetch_all!(self, actor, UtcRow, sql, scope.profile(), binds.values);
        let (by_type, mut by_day): (Vec<UtcRow>, Vec<UtcRow>) =
            rows.into_iter().partition(|r| r.part == 0);
        by_day.sort_by_key(|r| r.day);
        let mut f = totals_by_type(by_type.into_iter().map(|r| TypeTotals {
            event_type: r.event_type,
            m: r.m,
        }));
        f.days = by_day
            .into_iter()
            .filter(|r| r.m.calls != 0)
            .map(|r| DayFigures {
                date: date_of_day(r.day),
                calls: r.m.calls,
                answered: r.m.answered,
                booked: r.m.booked,
                revenue_cents: r.m.revenue_cents,
            })
            .collect();
        Ok(f)
    }

    /// The figures of whole UTC days `days`, and the first and last of those days that has
    /// figures.
    async fn summed(
        &self,
        actor: &Actor,
        scope: Scope,
        days: Span,
    ) -> StoreResult<(CallFigures, Option<(i64, i64)>)> {
        let mut binds = scope.binds();
        let types = type_rows(scope, days, &mut binds);
        let first = day_rows(scope, days, &mut binds);
        let last = day_rows(scope, days, &mut binds);
        let sql = format!(
            "SELECT t.event_type, (SELECT min(d.day) FROM ({first}) d) AS first_day, \
               (SELECT max(d.day) FROM ({last}) d) AS last_day, {sums} \
             FROM ({types}) t GROUP BY t.event_type",
            sums = sums(&MEASURES, "t."),
        );
        let rows = fetch_all!(
            self,
            actor,
            BoundedTotals,
            sql,
            scope.profile(),
            binds.values
        );
        let first = rows.iter().filter_map(|r| r.first_day).min();
        let last = rows.iter().filter_map(|r| r.last_day).max();
        let figures = totals_by_type(rows.into_iter().map(|r| r.totals));
        Ok((figures, first.zip(last)))
    }

    /// Calls, answered, booked and revenue per local day of `range.tz` over whole UTC days
    /// `days`, or `None` when the zone's offsets are not whole quarters of an hour there.
    /// `data_days`, the first and last UTC day with figures, bounds the offset segments (so a
    /// range of ten thousand years costs the offset segments of the data's span).
    async fn local_days(
        &self,
        actor: &Actor,
        scope: Scope,
        days: Span,
        data_days: Option<(i64, i64)>,
        range: &DateRange,
    ) -> StoreResult<Option<Vec<DayFigures>>> {
        let hours = days.times(24);
        let Some((first, last)) = data_days else {
            return Ok(Some(Vec::new()));
        };
        let (lo, hi) = (first * 24, (last + 1) * 24);
        let segments = offset_segments(
            &range.tz,
            instant(lo * HOUR_MICROS),
            instant(hi * HOUR_MICROS),
        );
        let Some(unit) = day_unit(&segments) else {
            return Ok(None);
        };
        let mut binds = scope.binds();
        let in_range = within("hour", &[hours], 1, &mut binds);
        let mine = scope.mine();
        let table = scope.hours_table();
        let mut units = Vec::new();
        let per_unit = list(&QUARTER_MEASURES.map(|(_, d)| d), "");
        if unit == DAY_MICROS {
            // UTC: the day table's rows are already local days.
            let in_days = within("day", &[days], 1, &mut binds);
            units.push(format!(
                "SELECT day AS n, calls, answered, booked, revenue_cents AS revenue \
                 FROM {} WHERE {mine}{in_days}",
                scope.days_table()
            ));
            units.push(format!(
                "SELECT hour / 24, {per_unit} FROM analytics_deltas WHERE {mine}{in_range}"
            ));
        } else if unit == HOUR_MICROS {
            let whole: Vec<String> = QUARTER_MEASURES
                .iter()
                .map(|(q, _)| format!("{q}_q0 + {q}_q1 + {q}_q2 + {q}_q3 AS {q}"))
                .collect();
            units.push(format!(
                "SELECT hour AS n, {} FROM {table} WHERE {mine}{in_range}",
                whole.join(", ")
            ));
            units.push(format!(
                "SELECT hour, {per_unit} FROM analytics_deltas WHERE {mine}{in_range}"
            ));
        } else {
            for k in 0..4 {
                let part: Vec<String> = QUARTER_MEASURES
                    .iter()
                    .map(|(q, _)| format!("{q}_q{k} AS {q}"))
                    .collect();
                units.push(format!(
                    "SELECT hour * 4 + {k} AS n, {} FROM {table} WHERE {mine}{in_range}",
                    part.join(", ")
                ));
            }
            units.push(format!(
                "SELECT hour * 4 + quarter, {per_unit} FROM analytics_deltas WHERE {mine}{in_range}"
            ));
        }
        let seg_values: Vec<String> = segments
            .iter()
            .map(|s| {
                format!(
                    "({}, {}, {})",
                    binds.push(s.start_micros / unit),
                    binds.push(s.end_micros / unit),
                    binds.push(i64::from(s.offset_secs))
                )
            })
            .collect();
        let sql = format!(
            "WITH seg(s, e, off) AS (VALUES {seg}) \
             SELECT (u.n * {unit_secs} + seg.off) / 86400 AS day, \
               CAST(sum(u.calls) AS BIGINT), CAST(sum(u.answered) AS BIGINT), \
               CAST(sum(u.booked) AS BIGINT), CAST(sum(u.revenue) AS BIGINT) \
             FROM ({units}) u JOIN seg ON u.n >= seg.s AND u.n < seg.e \
             GROUP BY day ORDER BY day",
            seg = seg_values.join(", "),
            unit_secs = unit / 1_000_000,
            units = units.join(" UNION ALL "),
        );
        let rows = fetch_all!(
            self,
            actor,
            (i64, i64, i64, i64, i64),
            sql,
            scope.profile(),
            binds.values
        );
        Ok(Some(
            rows.into_iter()
                .filter(|(_, calls, ..)| *calls != 0)
                .map(|(day, calls, answered, booked, revenue_cents)| DayFigures {
                    date: date_of_day(day),
                    calls,
                    answered,
                    booked,
                    revenue_cents,
                })
                .collect(),
        ))
    }
}

/// Figures summed over event-type rows.
fn totals_by_type(rows: impl IntoIterator<Item = TypeTotals>) -> CallFigures {
    let mut f = CallFigures::default();
    for TypeTotals { event_type, m } in rows {
        f.total_calls += m.calls;
        f.booked_calls += m.booked;
        f.answered_calls += m.answered;
        f.voicemails += m.voicemails;
        f.hot += m.hot;
        f.warm += m.warm;
        f.cold += m.cold;
        f.duration_sum_secs += m.duration_sum;
        f.calls_with_duration += m.with_duration;
        f.tipjar_links_sent += m.links_sent;
        f.tipjar_payments_received += m.payments_received;
        f.missed_call_texts_sent += m.missed_texts;
        f.missed_call_text_payments += m.missed_text_payments;
        f.recordings += m.recordings;
        f.transcriptions += m.transcriptions;
        f.revenue_cents += m.revenue_cents;
        f.platform_cut_cents += m.platform_cut_cents;
        f.dj_revenue_cents += m.dj_share_cents;
        if m.calls != 0 {
            let label = (!event_type.is_empty()).then_some(event_type);
            f.event_types.push((label, m.calls));
        }
    }
    f
}
