//! `djcalls analytics verify`: every summary row (with the deltas not yet folded) compared
//! with a full recount of the calls, payments and follow-ups it summarises.

use super::fold::summaries;
use crate::{Store, StoreResult};
use djcalls_domain::Actor;
use sqlx::AssertSqlSafe;

/// What `verify` found in one summary table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryCheck {
    pub table: &'static str,
    /// Keys (a DJ's day, an hour, …) whose figures differ from the recount, or are missing
    /// on one side.
    pub differing: i64,
}

impl Store {
    /// Compares every summary table with a recount; an empty `differing` everywhere means
    /// every analytics answer equals a count over the calls.
    pub async fn verify_analytics(&self) -> StoreResult<Vec<SummaryCheck>> {
        let mut checks = Vec::new();
        for summary in summaries() {
            let keys = summary.key_names();
            let on = keys
                .iter()
                .map(|k| format!("t.{k} = k.{k}"))
                .collect::<Vec<_>>()
                .join(" AND ");
            let differs = summary
                .columns
                .iter()
                .map(|(n, _)| format!("coalesce(t.{n}, 0) <> coalesce(k.{n}, 0)"))
                .collect::<Vec<_>>()
                .join(" OR ");
            let names = summary.columns.iter().map(|(n, _)| n.as_str());
            let kept_sums = names
                .clone()
                .map(|n| format!("CAST(sum(u.{n}) AS BIGINT) AS {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let plain = keys
                .iter()
                .copied()
                .chain(names)
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "WITH truth AS ({truth}), \
                 kept AS (SELECT {key_u}, {kept_sums} FROM ( \
                   SELECT {plain} FROM {table} UNION ALL {pending} \
                 ) u GROUP BY {key_u}) \
                 SELECT count(*) FROM truth t FULL OUTER JOIN kept k ON {on} WHERE {differs}",
                truth = summary.grouped_from("analytics_call_measures", "1 = 1"),
                key_u = keys
                    .iter()
                    .map(|k| format!("u.{k}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                table = summary.table,
                pending = summary.grouped_from("analytics_deltas", "1 = 1"),
            );
            let differing: i64 = in_tx!(self, &Actor::System, read, |conn| {
                sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                    .fetch_one(&mut *conn)
                    .await?
            });
            checks.push(SummaryCheck {
                table: summary.table,
                differing,
            });
        }
        checks.extend(self.verify_funnel().await?);
        Ok(checks)
    }
}
