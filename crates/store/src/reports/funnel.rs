//! The booking funnel (SPEC §15), counted by the database. Every stage below `clicks` follows
//! the clicks made in the range: a click is counted at a stage when a call attributed to it
//! (its attribution's `click_id`) reached that stage and every stage above it, so no stage
//! can exceed the one above. Definitions for people are in the README ("Reports").

use crate::{DbTime, Pool, Store, StoreResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::reports::Funnel;
use djcalls_domain::{Actor, DjProfileId};
use sqlx::AssertSqlSafe;

/// `$1` profile, `$2` start, `$3` end on the clicks (alias `k`).
const CLICK_FILTER: &str = "($1 IS NULL OR k.dj_profile_id = $1) \
     AND ($2 IS NULL OR k.clicked_at >= $2) AND ($3 IS NULL OR k.clicked_at < $3)";

const SHOWN: &str = "SELECT CAST(coalesce(sum(n.shown), 0) AS BIGINT) FROM numbers_shown n \
     WHERE ($1 IS NULL OR n.dj_profile_id = $1) AND ($2 IS NULL OR n.bucket >= $2) \
       AND ($3 IS NULL OR n.bucket < $3)";

/// Per click in range with at least one attributed call: the deepest stage any of its calls
/// reached (each stage's condition includes the ones above), then summed. The calls are
/// bounded by the profile and the range's start (a call comes after its click). `$4` is
/// `FOLLOWUP_MIN_TALK_SECONDS`; `{link}` matches the call's attribution to the click.
const JOURNEYS: &str = "SELECT count(*), CAST(coalesce(sum(answered), 0) AS BIGINT), \
      CAST(coalesce(sum(talked), 0) AS BIGINT), CAST(coalesce(sum(sent), 0) AS BIGINT), \
      CAST(coalesce(sum(opened), 0) AS BIGINT), CAST(coalesce(sum(paid), 0) AS BIGINT), \
      CAST(coalesce(sum(revenue), 0) AS BIGINT) \
    FROM (SELECT k.id, \
        max(s.answered) AS answered, max(s.talked) AS talked, max(s.sent) AS sent, \
        max(s.opened) AS opened, max(s.paid) AS paid, \
        sum(CASE WHEN s.paid = 1 THEN s.revenue ELSE 0 END) AS revenue \
      FROM widget_clicks k JOIN (SELECT c.id, c.dj_profile_id, c.attribution, c.\"timestamp\", \
          CASE WHEN c.answered THEN 1 ELSE 0 END AS answered, \
          CASE WHEN c.answered AND c.talk_seconds > $4 THEN 1 ELSE 0 END AS talked, \
          CASE WHEN c.answered AND c.talk_seconds > $4 AND c.tipjar_link_sent THEN 1 ELSE 0 END AS sent, \
          CASE WHEN c.answered AND c.talk_seconds > $4 AND c.tipjar_link_sent \
               AND EXISTS (SELECT 1 FROM payment_links l WHERE l.call_id = c.id AND l.opens > 0) \
               THEN 1 ELSE 0 END AS opened, \
          CASE WHEN c.answered AND c.talk_seconds > $4 AND c.tipjar_link_sent \
               AND EXISTS (SELECT 1 FROM payment_links l WHERE l.call_id = c.id AND l.opens > 0) \
               AND c.tipjar_payment_received THEN 1 ELSE 0 END AS paid, \
          coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.call_id = c.id), 0) AS revenue \
          FROM dj_calls c WHERE c.attribution IS NOT NULL \
            AND ($1 IS NULL OR c.dj_profile_id = $1) AND ($2 IS NULL OR c.\"timestamp\" >= $2)) s \
        ON s.dj_profile_id = k.dj_profile_id AND s.\"timestamp\" >= k.clicked_at AND {link} \
      WHERE {CLICK_FILTER} GROUP BY k.id) journeys";

type JourneyRow = (i64, i64, i64, i64, i64, i64, i64);

impl Store {
    /// The funnel of `profile` (or the platform) over `range`: from the summaries (migration
    /// 0036, `analytics/funnel_read.rs`) when they are kept for `min_talk_secs`, else counted.
    pub async fn funnel(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
        min_talk_secs: u32,
    ) -> StoreResult<Funnel> {
        match self
            .funnel_from_summaries(actor, profile, range, min_talk_secs)
            .await?
        {
            Some(funnel) => Ok(funnel),
            None => {
                self.funnel_recount(actor, profile, range, min_talk_secs)
                    .await
            }
        }
    }

    /// The funnel counted from the clicks and calls themselves: the truth the summaries are
    /// tested against.
    pub async fn funnel_recount(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
        min_talk_secs: u32,
    ) -> StoreResult<Funnel> {
        let profile = profile.map(|p| p.0);
        let (start, end) = (range.start.map(DbTime), range.end.map(DbTime));
        // The click's id as the text the attribution holds (lowercase, hyphenated).
        let link = match self.pool {
            Pool::Pg(_) => "s.attribution::json->>'click_id' = k.id::text",
            Pool::Lite(_) => {
                "json_extract(s.attribution, '$.click_id') = lower(substr(hex(k.id), 1, 8) || '-' \
                 || substr(hex(k.id), 9, 4) || '-' || substr(hex(k.id), 13, 4) || '-' \
                 || substr(hex(k.id), 17, 4) || '-' || substr(hex(k.id), 21, 12))"
            }
        };
        let journeys = JOURNEYS
            .replace("{link}", link)
            .replace("{CLICK_FILTER}", CLICK_FILTER);
        let clicks_sql = format!("SELECT count(*) FROM widget_clicks k WHERE {CLICK_FILTER}");
        let (shown, clicks, j): (i64, i64, JourneyRow) = in_tx!(self, actor, replica, |conn| {
            let shown: i64 = sqlx::query_scalar(SHOWN)
                .bind(profile)
                .bind(start)
                .bind(end)
                .fetch_one(&mut *conn)
                .await?;
            let clicks: i64 = sqlx::query_scalar(AssertSqlSafe(clicks_sql.clone()))
                .bind(profile)
                .bind(start)
                .bind(end)
                .fetch_one(&mut *conn)
                .await?;
            let j: JourneyRow = sqlx::query_as(AssertSqlSafe(journeys.clone()))
                .bind(profile)
                .bind(start)
                .bind(end)
                .bind(i64::from(min_talk_secs))
                .fetch_one(&mut *conn)
                .await?;
            (shown, clicks, j)
        });
        let (calls, answered, conversations, links_sent, links_opened, paid, revenue_cents) = j;
        Ok(Funnel {
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
            revenue_cents,
        })
    }
}
