//! SPEC §6 analytics at any volume (issue 9). Triggers write each change's contribution to
//! `analytics_deltas` in the writer's transaction (migration 0035); `fold` moves them into
//! per-day, per-hour and per-block summaries; `rollup` answers from the summaries plus the
//! pending deltas, and counts only the pieces of a range smaller than a day from the calls
//! (`recount`); `verify` compares the summaries with a full recount. The booking funnel
//! (SPEC §15) counts clicks by the deepest stage their calls reached, a maximum rather than a
//! sum: triggers mark the clicks a change may move, and `funnel_fold` recomputes them
//! (migration 0036).

/// Runs `$sql` (a `String`) as `query_as::<_, $row>` with the scope's profile then `$binds`.
macro_rules! fetch_all {
    ($self:expr, $actor:expr, $row:ty, $sql:expr, $profile:expr, $binds:expr) => {{
        let sql: String = $sql;
        let binds: &[i64] = &$binds;
        let profile: Option<uuid::Uuid> = $profile;
        in_tx!($self, $actor, replica, |conn| {
            let mut q = sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe(sql.clone()));
            if let Some(id) = profile {
                q = q.bind(id);
            }
            for v in binds {
                q = q.bind(*v);
            }
            q.fetch_all(&mut *conn).await?
        })
    }};
}

mod fold;
mod funnel_fold;
mod funnel_read;
mod funnel_sql;
mod funnel_verify;
mod measures;
mod recount;
mod rollup;
mod sources;
mod top;
mod verify;
mod whole_days;

pub use recount::TopDj;
pub use verify::SummaryCheck;
