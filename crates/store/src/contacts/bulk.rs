//! Many contacts at once, for seeding a benchmark or a test (the calls they stand for are
//! seeded with `Store::insert_calls_bulk`). One transaction, multi-row `INSERT`s.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, ContactId, DjProfileId};

/// Rows per `INSERT` statement: 5 parameters each, well under both backends' limits.
const ROWS_PER_STATEMENT: usize = 1000;
const PARAMS_PER_ROW: usize = 5;

/// A contact as `upsert_contact` would make it.
#[derive(Clone, Debug)]
pub struct NewContact {
    pub id: ContactId,
    pub dj_profile_id: DjProfileId,
    /// E.164.
    pub phone: String,
    pub name: Option<String>,
    pub created_at: DbTime,
}

impl Store {
    /// Inserts every contact of `contacts` in one transaction; one that exists already (the
    /// same DJ and number) is left as it is.
    pub async fn insert_contacts_bulk(
        &self,
        actor: &Actor,
        contacts: &[NewContact],
    ) -> StoreResult<()> {
        in_tx!(self, actor, write, |conn| {
            for chunk in contacts.chunks(ROWS_PER_STATEMENT) {
                // Only placeholders are spliced in; every value is bound.
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(chunk.len())));
                for contact in chunk {
                    query = query
                        .bind(contact.id.0)
                        .bind(contact.dj_profile_id.0)
                        .bind(&contact.phone)
                        .bind(&contact.name)
                        .bind(contact.created_at);
                }
                query.execute(&mut *conn).await?;
            }
        });
        Ok(())
    }
}

fn insert_sql(rows: usize) -> String {
    let values = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=PARAMS_PER_ROW)
                .map(|i| format!("${}", row * PARAMS_PER_ROW + i))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO contacts (id, dj_profile_id, phone, name, created_at) VALUES {values} \
         ON CONFLICT (dj_profile_id, phone) DO NOTHING"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_each_row_on() {
        let sql = super::insert_sql(2);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10) ON CONFLICT"));
    }
}
