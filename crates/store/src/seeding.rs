//! Bulk inserts for a benchmark's data set besides its calls (`calls/bulk.rs`): widget clicks
//! and `numbers_shown` counts, many rows per statement in one transaction, as the system.
//! The caller makes the ids unique; no profile check (the caller created the profiles).

use crate::clicks::NewClick;
use crate::reports::ShownCount;
use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId};
use uuid::Uuid;

/// Rows per statement: at most 12 parameters each, well under both backends' limits.
const ROWS_PER_STATEMENT: usize = 400;

/// A click as `record_click` would have stored it, with its id and instant chosen here.
#[derive(Clone, Debug)]
pub struct SeedClick {
    pub id: Uuid,
    pub dj_profile_id: DjProfileId,
    pub click: NewClick,
    pub clicked_at: DbTime,
}

impl Store {
    /// Inserts every click in one transaction.
    pub async fn insert_clicks_bulk(&self, clicks: &[SeedClick]) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            for chunk in clicks.chunks(ROWS_PER_STATEMENT) {
                let sql = values_sql(
                    "INSERT INTO widget_clicks (id, dj_profile_id, page_url, referrer, visitor_id, \
                     utm_source, utm_medium, utm_campaign, utm_term, utm_content, gclid, clicked_at)",
                    12,
                    chunk.len(),
                    "",
                );
                // Only placeholders are spliced in; every value is bound.
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for c in chunk {
                    let k = &c.click;
                    query = query
                        .bind(c.id)
                        .bind(c.dj_profile_id.0)
                        .bind(&k.page_url)
                        .bind(&k.referrer)
                        .bind(&k.visitor_id)
                        .bind(&k.utm_source)
                        .bind(&k.utm_medium)
                        .bind(&k.utm_campaign)
                        .bind(&k.utm_term)
                        .bind(&k.utm_content)
                        .bind(&k.gclid)
                        .bind(c.clicked_at);
                }
                query.execute(&mut *conn).await?;
            }
        });
        Ok(())
    }

    /// Adds every count to its bucket in one transaction, as `add_numbers_shown` does one by
    /// one. A statement may not name one `(profile, bucket)` twice: the caller sums first.
    pub async fn add_numbers_shown_bulk(&self, counts: &[ShownCount]) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            for chunk in counts.chunks(ROWS_PER_STATEMENT) {
                let sql = values_sql(
                    "INSERT INTO numbers_shown (dj_profile_id, bucket, shown)",
                    3,
                    chunk.len(),
                    " ON CONFLICT (dj_profile_id, bucket) \
                     DO UPDATE SET shown = numbers_shown.shown + excluded.shown",
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for c in chunk {
                    query = query.bind(c.dj_profile_id.0).bind(c.bucket).bind(c.shown);
                }
                query.execute(&mut *conn).await?;
            }
        });
        Ok(())
    }
}

/// `{insert} VALUES ($1, …), (…){tail}` for `rows` rows of `width` parameters.
fn values_sql(insert: &str, width: usize, rows: usize, tail: &str) -> String {
    let values = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=width)
                .map(|i| format!("${}", row * width + i))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("{insert} VALUES {values}{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_each_row_on() {
        let sql = super::values_sql("INSERT INTO t (a, b)", 2, 2, " ON CONFLICT DO NOTHING");
        assert_eq!(
            sql,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
    }
}
