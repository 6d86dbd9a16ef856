//! Many calls at once, for seeding: a benchmark's 100,000 rows or a test's few thousand. One
//! transaction, multi-row `INSERT`s; no duplicate-SID check, no live announcements. A call may
//! carry its `attribution` JSON, as the voice path stores it (`clicks.rs`).

use super::NewCall;
use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, CallSource};

/// Rows per `INSERT` statement: 25 parameters each, well under both backends' bound-parameter
/// limits (SQLite 32,766, PostgreSQL 65,535).
const ROWS_PER_STATEMENT: usize = 200;
const PARAMS_PER_ROW: usize = 25;

impl Store {
    /// Inserts every call of `calls` in one transaction, as [`Store::insert_call`] would one by
    /// one (an API call's SID kept as `logged_call_sid`), without its duplicate-SID check: for
    /// seeding, where the caller made the ids and SIDs unique.
    pub async fn insert_calls_bulk(
        &self,
        actor: &Actor,
        calls: &[NewCall],
        now: DbTime,
    ) -> StoreResult<()> {
        let rows: Vec<(&NewCall, Option<&str>)> = calls.iter().map(|c| (c, None)).collect();
        self.insert_rows(actor, &rows, now).await
    }

    /// [`Store::insert_calls_bulk`], each call with its `attribution` JSON (or none).
    pub async fn insert_attributed_calls_bulk(
        &self,
        actor: &Actor,
        calls: &[(NewCall, Option<String>)],
        now: DbTime,
    ) -> StoreResult<()> {
        let rows: Vec<(&NewCall, Option<&str>)> =
            calls.iter().map(|(c, a)| (c, a.as_deref())).collect();
        self.insert_rows(actor, &rows, now).await
    }

    async fn insert_rows(
        &self,
        actor: &Actor,
        calls: &[(&NewCall, Option<&str>)],
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, actor, write, |conn| {
            for chunk in calls.chunks(ROWS_PER_STATEMENT) {
                // Only placeholders are spliced in; every value is bound.
                let sql = sqlx::AssertSqlSafe(insert_sql(chunk.len()));
                let mut query = sqlx::query(sql);
                for &(call, attribution) in chunk {
                    let (call_sid, logged_call_sid) = match call.source {
                        CallSource::Api => (None, call.call_sid.as_deref()),
                        _ => (call.call_sid.as_deref(), None),
                    };
                    query = query
                        .bind(call.id.0)
                        .bind(call.dj_profile_id.0)
                        .bind(&call.virtual_number)
                        .bind(&call.caller_number)
                        .bind(&call.caller_name)
                        .bind(call.timestamp)
                        .bind(&call.page_url)
                        .bind(&call.event_type)
                        .bind(call.lead_score.as_str())
                        .bind(call.is_booked)
                        .bind(call.call_duration_seconds)
                        .bind(call.call_status.as_str())
                        .bind(call_sid)
                        .bind(&call.notes)
                        .bind(call.source.as_str())
                        .bind(call.answered)
                        .bind(call.talk_seconds)
                        .bind(call.voicemail_left)
                        .bind(&call.recording_sid)
                        .bind(&call.transcription_status)
                        .bind(&call.transcription_text)
                        .bind(call.tipjar_link_sent)
                        .bind(now)
                        .bind(logged_call_sid)
                        .bind(attribution);
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
            let n = |i: usize| format!("${}", row * PARAMS_PER_ROW + i);
            // created_at and updated_at are both `now` (parameter 23).
            let params: Vec<String> = (1..=23).map(n).chain([n(23), n(24), n(25)]).collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO dj_calls (id, dj_profile_id, virtual_number, caller_number, caller_name, \
         \"timestamp\", page_url, event_type, lead_score, is_booked, call_duration_seconds, \
         call_status, call_sid, notes, source, answered, talk_seconds, voicemail_left, \
         recording_sid, transcription_status, transcription_text, tipjar_link_sent, \
         created_at, updated_at, logged_call_sid, attribution) VALUES {values}"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_each_row_on() {
        let sql = super::insert_sql(2);
        assert!(sql.contains("($1, $2,"));
        assert!(sql.contains("$22, $23, $23, $24, $25), ($26, $27,"));
        assert!(sql.ends_with("$48, $48, $49, $50)"));
    }
}
