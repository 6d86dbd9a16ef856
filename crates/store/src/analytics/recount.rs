//! SPEC §6 figures counted from the calls themselves: counts and sums in SQL, only grouped
//! rows (one per day, event type or DJ) come back. The summaries (`super::rollup`) answer
//! whole buckets; this answers the pieces of a range smaller than a bucket, and is the full
//! recount that `analytics verify` and the property tests compare the summaries with. Day buckets are the one
//! place the dialects differ: PostgreSQL converts with `AT TIME ZONE`; SQLite, which has no
//! time-zone database, adds the zone's UTC offset per offset segment (see `domain::range`).

use crate::{DbTime, Pool, Store, StoreResult};
use djcalls_domain::analytics::{CallFigures, DayFigures};
use djcalls_domain::range::{DateRange, offset_segments};
use djcalls_domain::{Actor, DjProfileId};
use sqlx::AssertSqlSafe;
use std::collections::BTreeMap;

/// The same filter as `calls::CallFilter`, on table alias `c`: `$1` profile, `$2` start, `$3` end.
const FILTER: &str = "($1 IS NULL OR c.dj_profile_id = $1) \
     AND ($2 IS NULL OR c.\"timestamp\" >= $2) AND ($3 IS NULL OR c.\"timestamp\" < $3)";

const COUNTS: &str = "SELECT \
    count(*) AS total_calls, \
    CAST(coalesce(sum(CASE WHEN c.is_booked THEN 1 ELSE 0 END), 0) AS BIGINT) AS booked_calls, \
    CAST(coalesce(sum(CASE WHEN c.answered THEN 1 ELSE 0 END), 0) AS BIGINT) AS answered_calls, \
    CAST(coalesce(sum(CASE WHEN c.voicemail_left THEN 1 ELSE 0 END), 0) AS BIGINT) AS voicemails, \
    CAST(coalesce(sum(CASE WHEN c.lead_score = 'hot' THEN 1 ELSE 0 END), 0) AS BIGINT) AS hot, \
    CAST(coalesce(sum(CASE WHEN c.lead_score = 'warm' THEN 1 ELSE 0 END), 0) AS BIGINT) AS warm, \
    CAST(coalesce(sum(CASE WHEN c.lead_score = 'cold' THEN 1 ELSE 0 END), 0) AS BIGINT) AS cold, \
    CAST(coalesce(sum(CASE WHEN c.call_duration_seconds > 0 THEN c.call_duration_seconds ELSE 0 END), 0) AS BIGINT) AS duration_sum, \
    CAST(coalesce(sum(CASE WHEN c.call_duration_seconds > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS with_duration, \
    CAST(coalesce(sum(CASE WHEN c.tipjar_link_sent THEN 1 ELSE 0 END), 0) AS BIGINT) AS links_sent, \
    CAST(coalesce(sum(CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END), 0) AS BIGINT) AS payments_received, \
    CAST(coalesce(sum(CASE WHEN m.call_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS missed_texts, \
    CAST(coalesce(sum(CASE WHEN m.call_id IS NOT NULL AND c.tipjar_payment_received THEN 1 ELSE 0 END), 0) AS BIGINT) AS missed_text_payments, \
    CAST(coalesce(sum(CASE WHEN c.recording_sid IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS recordings, \
    CAST(coalesce(sum(CASE WHEN c.transcription_status = 'completed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS transcriptions \
    FROM dj_calls c \
    LEFT JOIN followups m ON m.call_id = c.id AND m.kind = 'missed' AND m.state = 'sent' WHERE ";

const REVENUE: &str = "SELECT \
    CAST(coalesce(sum(p.amount_cents), 0) AS BIGINT), \
    CAST(coalesce(sum(p.platform_cut_cents), 0) AS BIGINT), \
    CAST(coalesce(sum(p.dj_share_cents), 0) AS BIGINT) \
    FROM payments p JOIN dj_calls c ON c.id = p.call_id WHERE ";

const EVENT_TYPES: &str =
    "SELECT c.event_type, count(*) FROM dj_calls c WHERE {FILTER} GROUP BY c.event_type";

#[derive(sqlx::FromRow)]
struct Counts {
    total_calls: i64,
    booked_calls: i64,
    answered_calls: i64,
    voicemails: i64,
    hot: i64,
    warm: i64,
    cold: i64,
    duration_sum: i64,
    with_duration: i64,
    links_sent: i64,
    payments_received: i64,
    missed_texts: i64,
    missed_text_payments: i64,
    recordings: i64,
    transcriptions: i64,
}

/// One row of the admin's top-DJ table.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TopDj {
    #[sqlx(try_from = "uuid::Uuid")]
    pub dj_profile_id: DjProfileId,
    pub dj_name: String,
    pub dj_slug: String,
    pub calls: i64,
    pub booked: i64,
    pub revenue_cents: i64,
    pub platform_cut_cents: i64,
}

const TOP_DJS: &str = "WITH calls_by_dj AS ( \
      SELECT c.dj_profile_id, count(*) AS calls, \
        CAST(sum(CASE WHEN c.is_booked THEN 1 ELSE 0 END) AS BIGINT) AS booked \
      FROM dj_calls c WHERE {FILTER} GROUP BY c.dj_profile_id), \
    revenue_by_dj AS ( \
      SELECT c.dj_profile_id, CAST(sum(p.amount_cents) AS BIGINT) AS revenue, \
        CAST(sum(p.platform_cut_cents) AS BIGINT) AS cut \
      FROM payments p JOIN dj_calls c ON c.id = p.call_id WHERE {FILTER} GROUP BY c.dj_profile_id) \
    SELECT d.dj_profile_id, pr.dj_name, pr.dj_slug, d.calls, d.booked, \
      CAST(coalesce(r.revenue, 0) AS BIGINT) AS revenue_cents, \
      CAST(coalesce(r.cut, 0) AS BIGINT) AS platform_cut_cents \
    FROM calls_by_dj d JOIN dj_profiles pr ON pr.id = d.dj_profile_id \
    LEFT JOIN revenue_by_dj r ON r.dj_profile_id = d.dj_profile_id \
    ORDER BY revenue_cents DESC, d.calls DESC, pr.dj_slug LIMIT $4";

fn with_filter(template: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(template.replace("{FILTER}", FILTER))
}

fn after(prefix: &str, suffix: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!("{prefix}{FILTER}{suffix}"))
}

/// Per-day rows from the by-day queries: `(date, calls, answered, booked)` and `(date, cents)`.
type DayCounts = (String, i64, i64, i64);

impl Store {
    /// Everything SPEC §6 needs for `profile` (or the whole platform) in `range`, counted
    /// from the calls.
    pub async fn call_figures_recount(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> StoreResult<CallFigures> {
        let profile = profile.map(|p| p.0);
        let start = range.start.map(DbTime);
        let end = range.end.map(DbTime);
        let (counts, revenue, event_types) = in_tx!(self, actor, replica, |conn| {
            let counts = sqlx::query_as::<_, Counts>(after(COUNTS, ""))
                .bind(profile)
                .bind(start)
                .bind(end)
                .fetch_one(&mut *conn)
                .await?;
            let revenue: (i64, i64, i64) = sqlx::query_as(after(REVENUE, ""))
                .bind(profile)
                .bind(start)
                .bind(end)
                .fetch_one(&mut *conn)
                .await?;
            let event_types: Vec<(Option<String>, i64)> = sqlx::query_as(with_filter(EVENT_TYPES))
                .bind(profile)
                .bind(start)
                .bind(end)
                .fetch_all(&mut *conn)
                .await?;
            (counts, revenue, event_types)
        });
        let days = self.days(actor, profile, range).await?;
        Ok(CallFigures {
            total_calls: counts.total_calls,
            booked_calls: counts.booked_calls,
            answered_calls: counts.answered_calls,
            voicemails: counts.voicemails,
            hot: counts.hot,
            warm: counts.warm,
            cold: counts.cold,
            duration_sum_secs: counts.duration_sum,
            calls_with_duration: counts.with_duration,
            tipjar_links_sent: counts.links_sent,
            tipjar_payments_received: counts.payments_received,
            missed_call_texts_sent: counts.missed_texts,
            missed_call_text_payments: counts.missed_text_payments,
            recordings: counts.recordings,
            transcriptions: counts.transcriptions,
            revenue_cents: revenue.0,
            platform_cut_cents: revenue.1,
            dj_revenue_cents: revenue.2,
            event_types,
            days,
        })
    }

    /// The DJs with the most revenue (then the most calls) in `range`, counted from the calls.
    pub async fn top_djs_recount(
        &self,
        actor: &Actor,
        range: &DateRange,
        limit: i64,
    ) -> StoreResult<Vec<TopDj>> {
        let start = range.start.map(DbTime);
        let end = range.end.map(DbTime);
        Ok(in_tx!(self, actor, replica, |conn| {
            sqlx::query_as::<_, TopDj>(with_filter(TOP_DJS))
                .bind(None::<uuid::Uuid>)
                .bind(start)
                .bind(end)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }))
    }

    /// Calls, answered, booked and revenue per local day of `range.tz`, oldest first; only days
    /// with calls appear.
    async fn days(
        &self,
        actor: &Actor,
        profile: Option<uuid::Uuid>,
        range: &DateRange,
    ) -> StoreResult<Vec<DayFigures>> {
        let start = range.start.map(DbTime);
        let end = range.end.map(DbTime);
        let (calls, revenue): (Vec<DayCounts>, Vec<(String, i64)>) = match &self.pool {
            Pool::Pg(_) => in_tx!(self, actor, replica, |conn| {
                let day = "to_char((c.\"timestamp\" AT TIME ZONE $4)::date, 'YYYY-MM-DD')";
                let calls = sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT {day} AS day, count(*), \
                     CAST(sum(CASE WHEN c.answered THEN 1 ELSE 0 END) AS BIGINT), \
                     CAST(sum(CASE WHEN c.is_booked THEN 1 ELSE 0 END) AS BIGINT) \
                     FROM dj_calls c WHERE {FILTER} GROUP BY day ORDER BY day"
                )))
                .bind(profile)
                .bind(start)
                .bind(end)
                .bind(&range.tz_name)
                .fetch_all(&mut *conn)
                .await?;
                let revenue = sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT {day} AS day, CAST(sum(p.amount_cents) AS BIGINT) \
                     FROM payments p JOIN dj_calls c ON c.id = p.call_id \
                     WHERE {FILTER} GROUP BY day"
                )))
                .bind(profile)
                .bind(start)
                .bind(end)
                .bind(&range.tz_name)
                .fetch_all(&mut *conn)
                .await?;
                (calls, revenue)
            }),
            Pool::Lite(_) => in_tx!(self, actor, replica, |conn| {
                // Bound the segments by the range, or by the data when the range is open.
                let (lo, hi): (Option<DbTime>, Option<DbTime>) = sqlx::query_as(AssertSqlSafe(
                    format!("SELECT min(c.\"timestamp\"), max(c.\"timestamp\") FROM dj_calls c WHERE {FILTER}"),
                ))
                .bind(profile)
                .bind(start)
                .bind(end)
                .fetch_one(&mut *conn)
                .await?;
                match (lo, hi) {
                    (Some(lo), Some(hi)) => {
                        let until =
                            hi.0.checked_add(jiff::SignedDuration::from_micros(1))
                                .unwrap_or(hi.0);
                        let segments = offset_segments(&range.tz, lo.0, until);
                        let values = segments
                            .iter()
                            .enumerate()
                            .map(|(i, _)| {
                                format!("(${}, ${}, ${})", 4 + 3 * i, 5 + 3 * i, 6 + 3 * i)
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        let seg = format!("WITH seg(s, e, off) AS (VALUES {values}) ");
                        let day = "date(c.\"timestamp\" / 1000000 + seg.off, 'unixepoch')";
                        let join =
                            "JOIN seg ON c.\"timestamp\" >= seg.s AND c.\"timestamp\" < seg.e";
                        let calls_sql = format!(
                            "{seg}SELECT {day} AS day, count(*), \
                             CAST(sum(CASE WHEN c.answered THEN 1 ELSE 0 END) AS BIGINT), \
                             CAST(sum(CASE WHEN c.is_booked THEN 1 ELSE 0 END) AS BIGINT) \
                             FROM dj_calls c {join} WHERE {FILTER} GROUP BY day ORDER BY day"
                        );
                        let revenue_sql = format!(
                            "{seg}SELECT {day} AS day, CAST(sum(p.amount_cents) AS BIGINT) \
                             FROM payments p JOIN dj_calls c ON c.id = p.call_id {join} \
                             WHERE {FILTER} GROUP BY day"
                        );
                        let mut calls_q = sqlx::query_as(AssertSqlSafe(calls_sql))
                            .bind(profile)
                            .bind(start)
                            .bind(end);
                        let mut revenue_q = sqlx::query_as(AssertSqlSafe(revenue_sql))
                            .bind(profile)
                            .bind(start)
                            .bind(end);
                        for s in &segments {
                            calls_q = calls_q
                                .bind(s.start_micros)
                                .bind(s.end_micros)
                                .bind(i64::from(s.offset_secs));
                            revenue_q = revenue_q
                                .bind(s.start_micros)
                                .bind(s.end_micros)
                                .bind(i64::from(s.offset_secs));
                        }
                        (
                            calls_q.fetch_all(&mut *conn).await?,
                            revenue_q.fetch_all(&mut *conn).await?,
                        )
                    }
                    _ => (Vec::new(), Vec::new()),
                }
            }),
        };
        let revenue: BTreeMap<String, i64> = revenue.into_iter().collect();
        Ok(calls
            .into_iter()
            .map(|(date, calls, answered, booked)| DayFigures {
                revenue_cents: revenue.get(&date).copied().unwrap_or(0),
                date,
                calls,
                answered,
                booked,
            })
            .collect())
    }
}
