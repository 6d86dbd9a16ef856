//! Contacts (SPEC §14): a caller as a contact of the DJ they called. The `contacts` row holds
//! its identity (DJ, E.164 number), the first caller name heard and when it was made; every
//! other figure is computed here, at read time, from the DJ's calls from that number, their
//! payments (net of refunds, as §6 counts them), the opt-out list and the texts, so no figure
//! can drift from its source. Pages are computed for the rows of one page only.

mod bulk;
mod page;
mod upsert;

pub use bulk::NewContact;
pub use upsert::{ContactConn, ContactUpsert, upsert_contact};

use crate::calls::CallRecord;
use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, ContactId, DjProfileId};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

/// A contact with its derived figures.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ContactRecord {
    #[sqlx(try_from = "Uuid")]
    pub id: ContactId,
    #[sqlx(try_from = "Uuid")]
    pub dj_profile_id: DjProfileId,
    /// E.164.
    pub phone: String,
    pub name: Option<String>,
    pub created_at: DbTime,
    pub first_call_at: Option<DbTime>,
    pub last_call_at: Option<DbTime>,
    pub calls_count: i64,
    pub answered_count: i64,
    /// The event type of the newest call that has one.
    pub latest_event_type: Option<String>,
    /// Payments on this contact's calls net of refunds, in the platform currency only (§6's
    /// rule: a payment in another currency is never counted, a fully refunded one nets zero).
    pub payments_cents: i64,
    pub paid_calls: i64,
    pub opted_out: bool,
    pub texts_count: i64,
    pub last_text_at: Option<DbTime>,
}

/// Which contacts to list. `profile: None` is platform-wide (admin, service).
#[derive(Clone, Debug, Default)]
pub struct ContactFilter {
    pub profile: Option<DjProfileId>,
    /// The last call at or after this instant.
    pub last_call_from: Option<DbTime>,
    /// The last call before this instant.
    pub last_call_before: Option<DbTime>,
    /// Digits the number must contain.
    pub phone_digits: Option<String>,
}

/// The position after the last row of a page: newest contacts first, ties broken by id.
/// Contacts never change their `created_at`, so a page boundary never moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactCursor {
    pub created_at: DbTime,
    pub id: Uuid,
}

/// The derived figures of the contacts in CTE `page` (`id, dj_profile_id, phone, name,
/// created_at`). Each call figure is a subquery correlated to one contact, so it can only be
/// an index probe of `dj_calls_profile_caller` (then `payments_call`): a join of the page with
/// `dj_calls` let SQLite scan the DJ's calls once per page, which made an export of 100,000
/// contacts quadratic. Texts go through `messages_profile_from/to`.
const FIGURES: &str = ", \
    texts AS (SELECT t.contact_id, count(*) AS texts_count, max(t.created_at) AS last_text_at FROM ( \
        SELECT k.id AS contact_id, m.created_at FROM page k JOIN messages m \
          ON m.dj_profile_id = k.dj_profile_id AND m.from_number = k.phone \
        UNION ALL \
        SELECT k.id AS contact_id, m.created_at FROM page k JOIN messages m \
          ON m.dj_profile_id = k.dj_profile_id AND m.to_number = k.phone) t \
      GROUP BY t.contact_id) \
    SELECT k.id, k.dj_profile_id, k.phone, k.name, k.created_at, \
      (SELECT min(c.\"timestamp\") FROM dj_calls c {OF_CONTACT}) AS first_call_at, \
      (SELECT max(c.\"timestamp\") FROM dj_calls c {OF_CONTACT}) AS last_call_at, \
      (SELECT CAST(count(*) AS BIGINT) FROM dj_calls c {OF_CONTACT}) AS calls_count, \
      (SELECT CAST(coalesce(sum(CASE WHEN c.answered THEN 1 ELSE 0 END), 0) AS BIGINT) \
        FROM dj_calls c {OF_CONTACT}) AS answered_count, \
      (SELECT c.event_type FROM dj_calls c {OF_CONTACT} AND c.event_type IS NOT NULL \
        ORDER BY c.\"timestamp\" DESC, c.id DESC LIMIT 1) AS latest_event_type, \
      (SELECT CAST(coalesce(sum(p.amount_cents), 0) AS BIGINT) \
        FROM dj_calls c JOIN payments p ON p.call_id = c.id {OF_CONTACT}) AS payments_cents, \
      (SELECT CAST(coalesce(sum(CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END), 0) AS BIGINT) \
        FROM dj_calls c {OF_CONTACT}) AS paid_calls, \
      EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.phone_number = k.phone) AS opted_out, \
      CAST(coalesce(texts.texts_count, 0) AS BIGINT) AS texts_count, texts.last_text_at \
    FROM page k \
    LEFT JOIN texts ON texts.contact_id = k.id \
    ORDER BY k.created_at DESC, k.id DESC";

/// The calls of the contact `k`.
const OF_CONTACT: &str = "WHERE c.dj_profile_id = k.dj_profile_id AND c.caller_number = k.phone";

const ONE: &str = "WITH page AS (SELECT k.id, k.dj_profile_id, k.phone, k.name, k.created_at \
    FROM contacts k WHERE k.id = $1)";

const BY_PHONE: &str = "WITH page AS (SELECT k.id, k.dj_profile_id, k.phone, k.name, k.created_at \
    FROM contacts k WHERE k.dj_profile_id = $1 AND k.phone = $2)";

fn with_figures(head: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!(
        "{head}{}",
        FIGURES.replace("{OF_CONTACT}", OF_CONTACT)
    ))
}

impl Store {
    /// One page of contacts, newest first, strictly after `cursor`. Keyset pagination on the
    /// contact's creation, which never changes: contacts made while a client pages through
    /// come before its cursor, so each contact comes back exactly once. Only the filters in
    /// force are written into the query (see `page::page_sql`), so both databases bound an
    /// index range (`contacts_profile_created` or `contacts_created`) by the profile and the
    /// cursor: a page deep into 100,000 contacts costs what the first does.
    pub async fn list_contacts(
        &self,
        actor: &Actor,
        filter: &ContactFilter,
        cursor: Option<ContactCursor>,
        limit: u32,
    ) -> StoreResult<Vec<ContactRecord>> {
        let pattern = filter
            .phone_digits
            .as_deref()
            .map(|digits| format!("%{digits}%"));
        let sql = with_figures(&page::page_sql(filter, cursor.as_ref()));
        Ok(in_tx!(self, actor, replica, |conn| {
            let mut query = sqlx::query_as::<_, ContactRecord>(sql);
            // Bound in the order `page_sql` numbers them.
            if let Some(profile) = filter.profile {
                query = query.bind(profile.0);
            }
            if let Some(from) = filter.last_call_from {
                query = query.bind(from);
            }
            if let Some(before) = filter.last_call_before {
                query = query.bind(before);
            }
            if let Some(pattern) = pattern.as_deref() {
                query = query.bind(pattern);
            }
            if let Some(cursor) = cursor {
                query = query.bind(cursor.created_at).bind(cursor.id);
            }
            query.bind(i64::from(limit)).fetch_all(&mut *conn).await?
        }))
    }

    /// One contact with its figures; `None` when there is none the actor may see.
    pub async fn contact(
        &self,
        actor: &Actor,
        id: ContactId,
    ) -> StoreResult<Option<ContactRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, ContactRecord>(with_figures(ONE))
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
        }))
    }

    /// The contact `phone` is of `dj`, if any.
    pub async fn contact_by_phone(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        phone: &str,
    ) -> StoreResult<Option<ContactRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, ContactRecord>(with_figures(BY_PHONE))
                .bind(dj.0)
                .bind(phone)
                .fetch_optional(&mut *conn)
                .await?
        }))
    }

    /// The newest `limit` calls of `dj` from `phone`, newest first.
    pub async fn calls_from(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        phone: &str,
        limit: u32,
    ) -> StoreResult<Vec<CallRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, CallRecord>(sql_with(
                crate::calls::COLUMNS,
                "SELECT {COLUMNS} FROM dj_calls WHERE dj_profile_id = $1 AND caller_number = $2 \
                 ORDER BY \"timestamp\" DESC, id DESC LIMIT $3",
            ))
            .bind(dj.0)
            .bind(phone)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
