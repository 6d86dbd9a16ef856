//! `djcalls analytics verify` for the funnel summaries (migration 0036): every kept journey
//! against its clicks and calls now (clicks marked dirty are the next fold's to correct), and
//! every day row against the journeys and counts it sums.

use super::funnel_sql::{STAGES, journeys, keys, stage_list, stage_sums};
use super::verify::SummaryCheck;
use crate::{Store, StoreResult};
use djcalls_domain::Actor;
use sqlx::AssertSqlSafe;

/// `t.a <> f.a OR …` over `columns`, absent rows counting as zeros.
fn differs(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("coalesce(t.{c}, 0) <> coalesce(f.{c}, 0)"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

impl Store {
    pub(super) async fn verify_funnel(&self) -> StoreResult<Vec<SummaryCheck>> {
        let k = keys(&self.pool);
        let settled = "click_id NOT IN (SELECT click_id FROM analytics_funnel_dirty)";
        let journeys_now = journeys(
            &k,
            "k.id NOT IN (SELECT click_id FROM analytics_funnel_dirty)",
            "(SELECT min_talk_seconds FROM analytics_funnel_settings)",
        );
        let clicks = format!(
            "SELECT count(*) FROM ({journeys_now}) t FULL OUTER JOIN \
               (SELECT * FROM analytics_funnel_clicks WHERE {settled}) f \
               ON f.click_id = t.click_id \
             WHERE t.click_id IS NULL OR f.click_id IS NULL OR {}",
            differs(&STAGES)
        );
        let day = k.day;
        let columns: Vec<&str> = std::iter::once("clicks").chain(STAGES).collect();
        let days = |table: &str, dj: &str| {
            let on = if dj.is_empty() {
                "f.day = t.day".to_string()
            } else {
                "f.day = t.day AND f.dj_profile_id = t.dj_profile_id".to_string()
            };
            format!(
                "SELECT count(*) FROM (SELECT {dj}{day} AS day, count(*) AS clicks, {sums} \
                   FROM analytics_funnel_clicks GROUP BY {dj}{day}) t \
                 FULL OUTER JOIN (SELECT * FROM {table} WHERE clicks <> 0 OR {nonzero}) f ON {on} \
                 WHERE {}",
                differs(&columns),
                sums = stage_sums(""),
                nonzero = stage_list("")
                    .split(", ")
                    .map(|s| format!("{s} <> 0"))
                    .collect::<Vec<_>>()
                    .join(" OR "),
            )
        };
        let shown_day = day.replace("clicked_at", "bucket");
        let shown = |table: &str, dj: &str| {
            let on = if dj.is_empty() {
                "f.day = t.day".to_string()
            } else {
                "f.day = t.day AND f.dj_profile_id = t.dj_profile_id".to_string()
            };
            format!(
                "SELECT count(*) FROM (SELECT {dj}{shown_day} AS day, sum(shown) AS shown \
                   FROM numbers_shown GROUP BY {dj}{shown_day}) t \
                 FULL OUTER JOIN (SELECT * FROM {table} WHERE shown <> 0) f ON {on} \
                 WHERE coalesce(t.shown, 0) <> coalesce(f.shown, 0)"
            )
        };
        let checks: [(&'static str, String); 5] = [
            ("analytics_funnel_clicks", clicks),
            (
                "analytics_funnel_dj_days",
                days("analytics_funnel_dj_days", "dj_profile_id, "),
            ),
            (
                "analytics_funnel_platform_days",
                days("analytics_funnel_platform_days", ""),
            ),
            (
                "numbers_shown_dj_days",
                shown("numbers_shown_dj_days", "dj_profile_id, "),
            ),
            (
                "numbers_shown_platform_days",
                shown("numbers_shown_platform_days", ""),
            ),
        ];
        let mut out = Vec::new();
        for (table, sql) in checks {
            let differing: i64 = in_tx!(self, &Actor::System, read, |conn| {
                sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                    .fetch_one(&mut *conn)
                    .await?
            });
            out.push(SummaryCheck { table, differing });
        }
        Ok(out)
    }
}
