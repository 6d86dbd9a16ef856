//! Making a caller a contact, inside the transaction that records their call. One statement
//! for every path that writes a call (API log, the voice fold, reconciliation, the demo); the
//! PostgreSQL projection of `incoming` does the same in SQL (migrations 0020, 0041).

use crate::DbTime;
use djcalls_domain::{ContactId, DjProfileId};
use sqlx::{PgConnection, SqliteConnection};
use uuid::Uuid;

/// Which contact a recorded call belongs to, and whether recording it created the contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactUpsert {
    pub contact_id: ContactId,
    pub dj_profile_id: DjProfileId,
    pub created: bool,
}

/// Creates the contact (DJ, phone) unless it exists, and names a nameless one when `name` is
/// given. The row is locked until the transaction ends only when it existed.
const UPSERT_SQL: &str = "INSERT INTO contacts AS k (id, dj_profile_id, phone, name, created_at) \
     VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (dj_profile_id, phone) DO UPDATE SET name = excluded.name \
       WHERE k.name IS NULL AND excluded.name IS NOT NULL \
     RETURNING id";

const FIND_SQL: &str = "SELECT id FROM contacts WHERE dj_profile_id = $1 AND phone = $2";

/// A connection a contact can be made on: the `conn` inside an `in_tx!` body, on either
/// backend.
pub trait ContactConn: Send {
    fn upsert_contact_row(
        &mut self,
        dj: Uuid,
        phone: &str,
        name: Option<&str>,
        at: DbTime,
    ) -> impl Future<Output = sqlx::Result<(Uuid, bool)>> + Send;
}

macro_rules! impl_contact_conn {
    ($conn:ty) => {
        impl ContactConn for $conn {
            async fn upsert_contact_row(
                &mut self,
                dj: Uuid,
                phone: &str,
                name: Option<&str>,
                at: DbTime,
            ) -> sqlx::Result<(Uuid, bool)> {
                let new_id = Uuid::now_v7();
                let written: Option<Uuid> = sqlx::query_scalar(UPSERT_SQL)
                    .bind(new_id)
                    .bind(dj)
                    .bind(phone)
                    .bind(name)
                    .bind(at)
                    .fetch_optional(&mut *self)
                    .await?;
                let id = match written {
                    Some(id) => id,
                    None => {
                        sqlx::query_scalar(FIND_SQL)
                            .bind(dj)
                            .bind(phone)
                            .fetch_one(&mut *self)
                            .await?
                    }
                };
                Ok((id, id == new_id))
            }
        }
    };
}

impl_contact_conn!(PgConnection);
impl_contact_conn!(SqliteConnection);

/// The caller `phone` of a call to `dj` becomes (or stays) their contact. `None` for a call
/// without a usable number (withheld, anonymous): those make no contact.
pub async fn upsert_contact<C: ContactConn + ?Sized>(
    conn: &mut C,
    dj: DjProfileId,
    phone: Option<&str>,
    name: Option<&str>,
    at: DbTime,
) -> sqlx::Result<Option<ContactUpsert>> {
    let Some(phone) = phone.filter(|p| is_contact_number(p)) else {
        return Ok(None);
    };
    let (id, created) = conn.upsert_contact_row(dj.0, phone, name, at).await?;
    Ok(Some(ContactUpsert {
        contact_id: ContactId(id),
        dj_profile_id: dj,
        created,
    }))
}

/// Numbers are stored in E.164 by every path that writes a call; anything else (a placeholder
/// some carrier sent for a withheld number) is no one to get back to.
fn is_contact_number(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::is_contact_number;

    #[test]
    fn only_e164_numbers_make_contacts() {
        assert!(is_contact_number("+14155550123"));
        assert!(!is_contact_number("anonymous"));
        assert!(!is_contact_number("+"));
        assert!(!is_contact_number("14155550123"));
        assert!(!is_contact_number("+1415555012a"));
    }
}
