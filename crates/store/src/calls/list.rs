//! Listing calls: one keyset page, and its plan.

use super::{COLUMNS, CallCursor, CallFilter, CallRecord};
use crate::{Store, StoreResult};
use djcalls_domain::Actor;

impl Store {
    /// One page of calls, newest first, strictly after `cursor`. Keyset pagination: rows added
    /// while a client pages through never shift the pages, so each row comes back exactly once.
    /// Only the filters in force are written into the query (see [`list_sql`]), so both
    /// databases bound an index range (`(dj_profile_id, timestamp, id)` or `(timestamp, id)`)
    /// by them and by the cursor: a page deep into 100,000 calls costs what the first does.
    pub async fn list_calls(
        &self,
        actor: &Actor,
        filter: &CallFilter,
        cursor: Option<CallCursor>,
        limit: u32,
    ) -> StoreResult<Vec<CallRecord>> {
        let sql = list_sql(filter, cursor.as_ref());
        Ok(in_tx!(self, actor, replica, |conn| {
            let query = sqlx::query_as::<_, CallRecord>(sql);
            bind_list!(query, filter, cursor, limit)
                .fetch_all(&mut *conn)
                .await?
        }))
    }

    /// The database's plan for [`Store::list_calls`] with these arguments, one line per row
    /// (`EXPLAIN` on PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite): which index serves a
    /// console's filter. For operators checking a production database, and the plan tests.
    pub async fn explain_call_list(
        &self,
        actor: &Actor,
        filter: &CallFilter,
        cursor: Option<CallCursor>,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let (prefix, column) = match self.backend() {
            crate::Backend::Postgres => ("EXPLAIN", 0),
            crate::Backend::Sqlite => ("EXPLAIN QUERY PLAN", 3),
        };
        let sql = sqlx::AssertSqlSafe(format!("{prefix} {}", list_sql(filter, cursor.as_ref()).0));
        Ok(in_tx!(self, actor, replica, |conn| {
            let query = sqlx::query(sql);
            let rows = bind_list!(query, filter, cursor, limit)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|row| sqlx::Row::try_get::<String, _>(row, column))
                .collect::<Result<Vec<_>, _>>()?
        }))
    }
}

/// Binds [`list_sql`]'s parameters in the order it numbers them.
macro_rules! bind_list {
    ($query:expr, $filter:expr, $cursor:expr, $limit:expr) => {{
        let mut query = $query;
        if let Some(profile) = $filter.profile {
            query = query.bind(profile.0);
        }
        if let Some(start) = $filter.start {
            query = query.bind(start);
        }
        if let Some(end) = $filter.end {
            query = query.bind(end);
        }
        if let Some(status) = $filter.status {
            query = query.bind(status.as_str());
        }
        if let Some(cursor) = $cursor {
            query = query.bind(cursor.timestamp).bind(cursor.id);
        }
        query.bind(i64::from($limit))
    }};
}
use bind_list;

/// The list query with only the conditions in force, numbered in the order profile, start,
/// end, status, cursor (timestamp, id), limit. Only static fragments and placeholders are spliced in.
/// Written out rather than as `$n IS NULL OR …`: SQLite plans a statement once, without its
/// values, and could then use no index bound (each page scanned the index from the newest
/// call), and the cursor is one row-value comparison, which both databases take as a range
/// bound where `a < x OR (a = x AND b < y)` was only a filter on PostgreSQL.
fn list_sql(filter: &CallFilter, cursor: Option<&CallCursor>) -> sqlx::AssertSqlSafe<String> {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut param = || {
        n += 1;
        format!("${n}")
    };
    if filter.profile.is_some() {
        conditions.push(format!("dj_profile_id = {}", param()));
    }
    if filter.start.is_some() {
        conditions.push(format!("\"timestamp\" >= {}", param()));
    }
    if filter.end.is_some() {
        conditions.push(format!("\"timestamp\" < {}", param()));
    }
    if filter.status.is_some() {
        conditions.push(format!("call_status = {}", param()));
    }
    if cursor.is_some() {
        let (at, id) = (param(), param());
        conditions.push(format!("(\"timestamp\", id) < ({at}, {id})"));
    }
    let limit = param();
    let filters = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM dj_calls{filters} ORDER BY \"timestamp\" DESC, id DESC LIMIT {limit}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DbTime;
    use djcalls_domain::{CallStatus, DjProfileId};
    use uuid::Uuid;

    #[test]
    fn the_list_query_names_only_the_filters_in_force() {
        let all = list_sql(&CallFilter::default(), None).0;
        assert!(all.starts_with(&format!("SELECT {COLUMNS} FROM")), "{all}");
        assert!(all.ends_with("FROM dj_calls ORDER BY \"timestamp\" DESC, id DESC LIMIT $1"));
        let cursor = CallCursor {
            timestamp: DbTime(jiff::Timestamp::UNIX_EPOCH),
            id: Uuid::nil(),
        };
        let filter = CallFilter {
            profile: Some(DjProfileId(Uuid::nil())),
            start: None,
            end: Some(DbTime(jiff::Timestamp::UNIX_EPOCH)),
            status: None,
        };
        let some = list_sql(&filter, Some(&cursor)).0;
        assert!(
            some.ends_with(
                "WHERE dj_profile_id = $1 AND \"timestamp\" < $2 AND (\"timestamp\", id) < ($3, $4) \
                 ORDER BY \"timestamp\" DESC, id DESC LIMIT $5"
            ),
            "{some}"
        );
        let failed = CallFilter {
            status: Some(CallStatus::Failed),
            ..CallFilter::default()
        };
        let failed = list_sql(&failed, None).0;
        assert!(
            failed
                .ends_with("WHERE call_status = $1 ORDER BY \"timestamp\" DESC, id DESC LIMIT $2"),
            "{failed}"
        );
    }
}
