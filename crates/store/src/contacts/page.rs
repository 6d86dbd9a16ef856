//! The contacts list's page query, with only the filters in force.

use super::{ContactCursor, ContactFilter};

/// The newest call of the contact `k` (a correlated subquery; one probe of
/// `dj_calls_profile_caller`).
const LAST_CALL: &str = "(SELECT max(c.\"timestamp\") FROM dj_calls c \
    WHERE c.dj_profile_id = k.dj_profile_id AND c.caller_number = k.phone)";

/// The `page` CTE of the list with only the conditions in force, numbered in the order
/// profile, last call from, last call before, phone pattern, cursor (created_at, id), limit.
/// Only static fragments and placeholders are spliced in; every value is bound. Written out
/// rather than as `$n IS NULL OR …` for the reasons of the calls list (`calls::list_sql`):
/// SQLite plans without the values and could bound no index range, and the cursor is one
/// row-value comparison, which both databases take as a range bound.
pub(super) fn page_sql(filter: &ContactFilter, cursor: Option<&ContactCursor>) -> String {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut param = || {
        n += 1;
        format!("${n}")
    };
    if filter.profile.is_some() {
        conditions.push(format!("k.dj_profile_id = {}", param()));
    }
    if filter.last_call_from.is_some() {
        conditions.push(format!("{LAST_CALL} >= {}", param()));
    }
    if filter.last_call_before.is_some() {
        conditions.push(format!("{LAST_CALL} < {}", param()));
    }
    if filter.phone_digits.is_some() {
        conditions.push(format!("k.phone LIKE {}", param()));
    }
    if cursor.is_some() {
        let (at, id) = (param(), param());
        conditions.push(format!("(k.created_at, k.id) < ({at}, {id})"));
    }
    let limit = param();
    let filters = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    format!(
        "WITH page AS (SELECT k.id, k.dj_profile_id, k.phone, k.name, k.created_at \
         FROM contacts k{filters} ORDER BY k.created_at DESC, k.id DESC LIMIT {limit})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DbTime;
    use djcalls_domain::DjProfileId;
    use uuid::Uuid;

    #[test]
    fn the_page_query_names_only_the_filters_in_force() {
        let all = page_sql(&ContactFilter::default(), None);
        assert!(
            all.ends_with("FROM contacts k ORDER BY k.created_at DESC, k.id DESC LIMIT $1)"),
            "{all}"
        );
        let cursor = ContactCursor {
            created_at: DbTime(jiff::Timestamp::UNIX_EPOCH),
            id: Uuid::nil(),
        };
        let filter = ContactFilter {
            profile: Some(DjProfileId(Uuid::nil())),
            phone_digits: Some("555".into()),
            ..ContactFilter::default()
        };
        let some = page_sql(&filter, Some(&cursor));
        assert!(
            some.ends_with(
                "WHERE k.dj_profile_id = $1 AND k.phone LIKE $2 \
                 AND (k.created_at, k.id) < ($3, $4) \
                 ORDER BY k.created_at DESC, k.id DESC LIMIT $5)"
            ),
            "{some}"
        );
        let dated = ContactFilter {
            last_call_from: Some(DbTime(jiff::Timestamp::UNIX_EPOCH)),
            last_call_before: Some(DbTime(jiff::Timestamp::UNIX_EPOCH)),
            ..ContactFilter::default()
        };
        let dated = page_sql(&dated, None);
        assert!(dated.contains(&format!("WHERE {LAST_CALL} >= $1 AND {LAST_CALL} < $2 ")));
    }
}
