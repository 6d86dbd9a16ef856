//! SPEC §15 reports, computed by the database: calls grouped by their attribution's source
//! (one row per source comes back), the monthly ad spend per source (`ad_spend`), and the
//! booking funnel (`funnel.rs`) with the DNI counters it starts from (`numbers_shown`).
//! The attribution is JSON text on both backends; reading a field is the one place the
//! dialects differ (`attribution_field`).

mod funnel;
mod shown;

pub use shown::ShownCount;

use crate::{DbTime, Pool, Store, StoreResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::reports::{SourceFigures, SourceKey};
use djcalls_domain::{Actor, DjProfileId};
use sqlx::AssertSqlSafe;

/// The calls filter of `analytics.rs` on alias `c`: `$1` profile, `$2` start, `$3` end.
const FILTER: &str = "($1 IS NULL OR c.dj_profile_id = $1) \
     AND ($2 IS NULL OR c.\"timestamp\" >= $2) AND ($3 IS NULL OR c.\"timestamp\" < $3)";

/// Per call: its source key (SPEC §15), its flags and its payments net of refunds; then
/// grouped. `{us}`, `{um}`, `{uc}`, `{gclid}` are the attribution's fields.
const BY_SOURCE: &str = "SELECT src, med, camp, count(*), \
      CAST(sum(answered) AS BIGINT), CAST(sum(booked) AS BIGINT), CAST(sum(paid) AS BIGINT), \
      CAST(coalesce(sum(revenue), 0) AS BIGINT) \
    FROM (SELECT \
      CASE WHEN c.attribution IS NULL THEN 'direct' \
           WHEN {us} IS NULL AND {gclid} IS NOT NULL THEN 'google' ELSE {us} END AS src, \
      CASE WHEN c.attribution IS NULL THEN NULL \
           WHEN {us} IS NULL AND {gclid} IS NOT NULL THEN coalesce({um}, 'cpc') ELSE {um} END AS med, \
      CASE WHEN c.attribution IS NULL THEN NULL ELSE {uc} END AS camp, \
      CASE WHEN c.answered THEN 1 ELSE 0 END AS answered, \
      CASE WHEN c.is_booked THEN 1 ELSE 0 END AS booked, \
      CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END AS paid, \
      (SELECT sum(p.amount_cents) FROM payments p WHERE p.call_id = c.id) AS revenue \
      FROM dj_calls c WHERE {FILTER}) per_call \
    GROUP BY src, med, camp";

/// A DJ's spend rows (or, with `$1` NULL, every row the caller may see) in months `$2..=$3`.
const SPEND: &str = "SELECT month, source, medium, campaign, spend_cents FROM ad_spend \
     WHERE ($1 IS NULL OR dj_profile_id = $1) AND ($2 IS NULL OR month >= $2) \
       AND ($3 IS NULL OR month <= $3)";

const PUT_SPEND: &str = "INSERT INTO ad_spend \
     (id, dj_profile_id, owner_key, month, source, medium, campaign, spend_cents, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (owner_key, month, source, medium, campaign) DO UPDATE SET \
       spend_cents = excluded.spend_cents, updated_at = excluded.updated_at";

/// Spend on one source in one month (`month` is `YYYY-MM`, already validated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendEntry {
    /// `None`: the platform's spend.
    pub dj_profile_id: Option<DjProfileId>,
    pub month: String,
    pub key: SourceKey,
    pub spend_cents: i64,
}

type SourceRowSql = (
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
);
type SpendRowSql = (String, String, String, String, i64);

impl Store {
    /// `field` of `c.attribution` as text, NULL when absent or empty.
    pub(crate) fn attribution_field(&self, field: &str) -> String {
        match self.pool {
            Pool::Pg(_) => format!("nullif(c.attribution::json->>'{field}', '')"),
            Pool::Lite(_) => format!("nullif(json_extract(c.attribution, '$.{field}'), '')"),
        }
    }

    /// Calls, answered, booked, paid and revenue per source over `profile`'s calls in `range`,
    /// counted from the calls (`analytics::sources` reads whole days from the summaries).
    pub async fn source_figures_recount(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> StoreResult<Vec<SourceFigures>> {
        let sql = BY_SOURCE
            .replace("{us}", &self.attribution_field("utm_source"))
            .replace("{um}", &self.attribution_field("utm_medium"))
            .replace("{uc}", &self.attribution_field("utm_campaign"))
            .replace("{gclid}", &self.attribution_field("gclid"))
            .replace("{FILTER}", FILTER);
        let rows: Vec<SourceRowSql> = in_tx!(self, actor, replica, |conn| {
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(profile.map(|p| p.0))
                .bind(range.start.map(DbTime))
                .bind(range.end.map(DbTime))
                .fetch_all(&mut *conn)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(source, medium, campaign, calls, answered, booked, paid, revenue)| {
                    SourceFigures {
                        key: SourceKey {
                            source,
                            medium,
                            campaign,
                        },
                        calls,
                        answered,
                        booked,
                        paid,
                        revenue_cents: revenue,
                    }
                },
            )
            .collect())
    }

    /// Spend rows for `profile` (every visible row when `None`) in months `first..=last`.
    pub async fn spend_entries(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        first: Option<String>,
        last: Option<String>,
    ) -> StoreResult<Vec<SpendEntry>> {
        let rows: Vec<SpendRowSql> = in_tx!(self, actor, replica, |conn| {
            sqlx::query_as(SPEND)
                .bind(profile.map(|p| p.0))
                .bind(first.as_deref())
                .bind(last.as_deref())
                .fetch_all(&mut *conn)
                .await?
        });
        let present = |s: String| (!s.is_empty()).then_some(s);
        Ok(rows
            .into_iter()
            .map(
                |(month, source, medium, campaign, spend_cents)| SpendEntry {
                    dj_profile_id: profile,
                    month,
                    key: SourceKey {
                        source: present(source),
                        medium: present(medium),
                        campaign: present(campaign),
                    },
                    spend_cents,
                },
            )
            .collect())
    }

    /// Sets one month's spend on one source (replacing what was set before).
    pub async fn put_spend(
        &self,
        actor: &Actor,
        entry: &SpendEntry,
        now: DbTime,
    ) -> StoreResult<()> {
        let owner_key = entry
            .dj_profile_id
            .map_or_else(|| "platform".to_string(), |p| p.to_string());
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        in_tx!(self, actor, write, |conn| {
            sqlx::query(PUT_SPEND)
                .bind(uuid::Uuid::new_v4())
                .bind(entry.dj_profile_id.map(|p| p.0))
                .bind(&owner_key)
                .bind(&entry.month)
                .bind(text(&entry.key.source))
                .bind(text(&entry.key.medium))
                .bind(text(&entry.key.campaign))
                .bind(entry.spend_cents)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }
}
