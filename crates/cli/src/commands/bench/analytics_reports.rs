//! The seed's approach to the SPEC §15 reports: fetch every row a report needs (`SELECT *` of
//! the calls, payments, payment links, clicks and shown counts of the filter) and add them up
//! in the application, as the definitions say (`store/src/reports.rs`, `reports/funnel.rs`).
//! The bench sets these figures beside the answers it measured and fails when they differ.

use super::analytics_data::{Pool, Reference};
use djcalls_store::DbTime;
use futures::TryStreamExt;
use jiff::Timestamp;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// A source's key: `(source, medium, campaign)`, as the report names them.
pub type SourceKey = (Option<String>, Option<String>, Option<String>);

/// calls, answered, booked, paid, revenue cents.
pub type SourceCounts = [i64; 5];

/// numbersShown, clicks, calls, answered, conversations, linksSent, linksOpened, paid,
/// revenueCents.
pub type FunnelCounts = [i64; 9];

/// `FOLLOWUP_MIN_TALK_SECONDS` as the bench's server runs (`Settings::for_base_url`).
const MIN_TALK_SECONDS: i32 = 10;

/// The filter on alias `a`'s profile and instant column `{t}`: `$1` profile, `$2` from, `$3`
/// before (both optional).
const FILTER: &str = "($1 IS NULL OR a.dj_profile_id = $1) AND ($2 IS NULL OR a.{t} >= $2) \
     AND ($3 IS NULL OR a.{t} < $3)";

/// Streams the rows of `sql` (binding profile, from, before) into `$body`, on either backend.
macro_rules! each_row {
    ($reference:expr, $sql:expr, $binds:expr, |$row:ident| $body:block) => {{
        let (dj, from, to): (Option<Uuid>, Option<DbTime>, Option<DbTime>) = $binds;
        match &$reference.pool {
            Pool::Pg(p) => {
                let sql = $sql
                    .replace("$1 IS NULL", "$1::uuid IS NULL")
                    .replace("$2 IS NULL", "$2::timestamptz IS NULL")
                    .replace("$3 IS NULL", "$3::timestamptz IS NULL");
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(dj)
                    .bind(from)
                    .bind(to)
                    .fetch(p);
                while let Some($row) = rows.try_next().await? $body
            }
            Pool::Lite(p) => {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe($sql.to_string()))
                    .bind(dj)
                    .bind(from)
                    .bind(to)
                    .fetch(p);
                while let Some($row) = rows.try_next().await? $body
            }
        }
    }};
}

fn filter(alias: &str, column: &str) -> String {
    FILTER
        .replace("a.", &format!("{alias}."))
        .replace("{t}", column)
}

impl Reference {
    /// Revenue by source over `dj`'s calls (every DJ's when `None`) in `[from, to)`.
    pub async fn source_figures(
        &self,
        dj: Option<Uuid>,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> anyhow::Result<BTreeMap<SourceKey, SourceCounts>> {
        let binds = (dj, from.map(DbTime), to.map(DbTime));
        let calls_filter = filter("c", "\"timestamp\"");
        let mut revenue: HashMap<Uuid, i64> = HashMap::new();
        let sql = format!(
            "SELECT p.* FROM payments p JOIN dj_calls c ON c.id = p.call_id WHERE {calls_filter}"
        );
        each_row!(self, sql, binds, |row| {
            *revenue.entry(row.try_get("call_id")?).or_default() +=
                row.try_get::<i64, _>("amount_cents")?;
        });
        let mut out: BTreeMap<SourceKey, SourceCounts> = BTreeMap::new();
        let sql = format!("SELECT * FROM dj_calls c WHERE {calls_filter}");
        each_row!(self, sql, binds, |row| {
            let attribution: Option<String> = row.try_get("attribution")?;
            let id: Uuid = row.try_get("id")?;
            let counts = out.entry(source_key(attribution.as_deref())).or_default();
            counts[0] += 1;
            counts[1] += i64::from(row.try_get::<bool, _>("answered")?);
            counts[2] += i64::from(row.try_get::<bool, _>("is_booked")?);
            counts[3] += i64::from(row.try_get::<bool, _>("tipjar_payment_received")?);
            counts[4] += revenue.get(&id).copied().unwrap_or(0);
        });
        Ok(out)
    }

    /// The booking funnel of `dj` (every DJ's when `None`) over `[from, to)`: the clicks in
    /// range, each counted at the deepest stage a call attributed to it reached.
    pub async fn funnel_figures(
        &self,
        dj: Option<Uuid>,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> anyhow::Result<FunnelCounts> {
        let binds = (dj, from.map(DbTime), to.map(DbTime));
        // The calls that may follow a click in range: from its start, without an end.
        let open_ended = (dj, from.map(DbTime), None);
        let mut shown = 0i64;
        let sql = format!(
            "SELECT * FROM numbers_shown n WHERE {}",
            filter("n", "bucket")
        );
        each_row!(self, sql, binds, |row| {
            shown += row.try_get::<i64, _>("shown")?;
        });
        // Per click in range: its DJ, instant, deepest stages and paid revenue.
        let mut clicks: HashMap<Uuid, (Uuid, DbTime, [i64; 6], i64)> = HashMap::new();
        let sql = format!(
            "SELECT * FROM widget_clicks k WHERE {}",
            filter("k", "clicked_at")
        );
        each_row!(self, sql, binds, |row| {
            let id: Uuid = row.try_get("id")?;
            let at: DbTime = row.try_get("clicked_at")?;
            clicks.insert(id, (row.try_get("dj_profile_id")?, at, [0; 6], 0));
        });
        let calls_filter = filter("c", "\"timestamp\"");
        let mut opened: HashSet<Uuid> = HashSet::new();
        let sql = format!(
            "SELECT l.* FROM payment_links l JOIN dj_calls c ON c.id = l.call_id WHERE {calls_filter}"
        );
        each_row!(self, sql, open_ended, |row| {
            if row.try_get::<i32, _>("opens")? > 0 {
                opened.insert(row.try_get("call_id")?);
            }
        });
        let mut revenue: HashMap<Uuid, i64> = HashMap::new();
        let sql = format!(
            "SELECT p.* FROM payments p JOIN dj_calls c ON c.id = p.call_id WHERE {calls_filter}"
        );
        each_row!(self, sql, open_ended, |row| {
            *revenue.entry(row.try_get("call_id")?).or_default() +=
                row.try_get::<i64, _>("amount_cents")?;
        });
        let sql =
            format!("SELECT * FROM dj_calls c WHERE c.attribution IS NOT NULL AND {calls_filter}");
        each_row!(self, sql, open_ended, |row| {
            let attribution: String = row.try_get("attribution")?;
            let Some(click) = click_id(&attribution) else {
                continue;
            };
            let Some((click_dj, clicked_at, stages, paid_revenue)) = clicks.get_mut(&click) else {
                continue;
            };
            let id: Uuid = row.try_get("id")?;
            let at: DbTime = row.try_get("timestamp")?;
            if row.try_get::<Uuid, _>("dj_profile_id")? != *click_dj || at.0 < clicked_at.0 {
                continue;
            }
            let answered: bool = row.try_get("answered")?;
            let talk: Option<i32> = row.try_get("talk_seconds")?;
            let talked = answered && talk.is_some_and(|t| t > MIN_TALK_SECONDS);
            let sent = talked && row.try_get::<bool, _>("tipjar_link_sent")?;
            let was_opened = sent && opened.contains(&id);
            let paid = was_opened && row.try_get::<bool, _>("tipjar_payment_received")?;
            for (stage, reached) in stages
                .iter_mut()
                .zip([true, answered, talked, sent, was_opened, paid])
            {
                *stage = (*stage).max(i64::from(reached));
            }
            if paid {
                *paid_revenue += revenue.get(&id).copied().unwrap_or(0);
            }
        });
        let mut out: FunnelCounts = [0; 9];
        out[1] = i64::try_from(clicks.len())?;
        // A click's number was shown even if its count was never flushed (as the report says).
        out[0] = shown.max(out[1]);
        // Calls … paid: the clicks whose calls reached each stage; the paid calls' revenue.
        for (_, _, stages, paid_revenue) in clicks.values() {
            for (sum, stage) in out[2..8].iter_mut().zip(stages) {
                *sum += stage;
            }
            out[8] += paid_revenue;
        }
        Ok(out)
    }
}

/// The report's key for a call's attribution (SPEC §15): `direct` without one, `google`/`cpc`
/// for a click with only a `gclid`.
fn source_key(attribution: Option<&str>) -> SourceKey {
    let Some(json) = attribution else {
        return (Some("direct".into()), None, None);
    };
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let field = |name: &str| {
        value[name]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (source, medium, campaign) = (
        field("utm_source"),
        field("utm_medium"),
        field("utm_campaign"),
    );
    if source.is_none() && field("gclid").is_some() {
        return (
            Some("google".into()),
            medium.or(Some("cpc".into())),
            campaign,
        );
    }
    (source, medium, campaign)
}

fn click_id(attribution: &str) -> Option<Uuid> {
    let value: serde_json::Value = serde_json::from_str(attribution).ok()?;
    value["click_id"].as_str()?.parse().ok()
}
