//! Calls recorded after the fact from Twilio's call log: inserted once per `call_sid`, and a
//! call the service already knows — a row, or a webhook kept in `call_events` — is left exactly
//! as it is.

use super::{CallJobs, CallRecord, NewCall, enqueue_call_jobs, no_call_jobs};
use crate::contacts::{ContactUpsert, upsert_contact};
use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::Actor;
use std::collections::HashSet;

/// Call SIDs asked about per query (well under both backends' bound-parameter limits).
const SIDS_PER_QUERY: usize = 500;

impl Store {
    /// Which of `call_sids` the service has seen: a call row, or any webhook event.
    pub async fn known_call_sids(&self, call_sids: &[String]) -> StoreResult<HashSet<String>> {
        let mut known = HashSet::new();
        for chunk in call_sids.chunks(SIDS_PER_QUERY) {
            let placeholders = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            // Only placeholders are spliced in; the SIDs themselves are bound.
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT call_sid FROM dj_calls WHERE call_sid IN ({placeholders}) \
                 UNION SELECT call_sid FROM call_events WHERE call_sid IN ({placeholders})"
            ));
            let rows: Vec<String> = in_tx!(self, &Actor::System, read, |conn| {
                let mut query = sqlx::query_scalar::<_, String>(sql);
                for sid in chunk {
                    query = query.bind(sid);
                }
                query.fetch_all(&mut *conn).await?
            });
            known.extend(rows);
        }
        Ok(known)
    }

    /// Inserts `call` unless the service knows its `call_sid` (a row or a webhook event);
    /// `true` when it was inserted. The unique `call_sid` settles concurrent runs: one insert
    /// wins, the others do nothing.
    pub async fn insert_call_unless_known(
        &self,
        actor: &Actor,
        call: &NewCall,
        now: DbTime,
    ) -> StoreResult<bool> {
        Ok(self
            .record_reconciled_call(actor, call, now)
            .await?
            .is_some())
    }

    /// [`Store::insert_call_unless_known`], and in the same transaction the caller's contact:
    /// `None` when the call was known, else `Some` of the contact (itself `None` without a
    /// caller number).
    pub async fn record_reconciled_call(
        &self,
        actor: &Actor,
        call: &NewCall,
        now: DbTime,
    ) -> StoreResult<Option<Option<ContactUpsert>>> {
        Ok(self
            .record_reconciled_call_with_jobs(actor, call, now, &no_call_jobs)
            .await?
            .map(|(contact, _)| contact))
    }

    /// [`Store::record_reconciled_call`], enqueueing in the same transaction the jobs `jobs`
    /// gives for the inserted call and its contact (its outbound webhook events); the `bool`
    /// says whether any was new. A known call causes none.
    pub async fn record_reconciled_call_with_jobs(
        &self,
        actor: &Actor,
        call: &NewCall,
        now: DbTime,
        jobs: CallJobs<'_>,
    ) -> StoreResult<Option<(Option<ContactUpsert>, bool)>> {
        Ok(in_tx!(self, actor, write, |conn| {
            let inserted: Option<CallRecord> = sqlx::query_as(sql_with(
                super::COLUMNS,
                "INSERT INTO dj_calls (id, dj_profile_id, virtual_number, caller_number, \
                 \"timestamp\", lead_score, call_duration_seconds, call_status, call_sid, source, \
                 answered, talk_seconds, created_at, updated_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13 \
                 WHERE NOT EXISTS (SELECT 1 FROM call_events WHERE call_sid = $9) \
                 ON CONFLICT (call_sid) DO NOTHING RETURNING {COLUMNS}",
            ))
            .bind(call.id.0)
            .bind(call.dj_profile_id.0)
            .bind(&call.virtual_number)
            .bind(&call.caller_number)
            .bind(call.timestamp)
            .bind(call.lead_score.as_str())
            .bind(call.call_duration_seconds)
            .bind(call.call_status.as_str())
            .bind(&call.call_sid)
            .bind(call.source.as_str())
            .bind(call.answered)
            .bind(call.talk_seconds)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            match inserted {
                Some(record) => {
                    let contact = upsert_contact(
                        conn,
                        record.dj_profile_id,
                        record.caller_number.as_deref(),
                        call.caller_name.as_deref(),
                        now,
                    )
                    .await?;
                    let enqueued =
                        enqueue_call_jobs(conn, jobs, &record, contact.as_ref(), now).await?;
                    Some((contact, enqueued))
                }
                None => None,
            }
        }))
    }
}
