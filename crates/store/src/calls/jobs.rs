//! The jobs a call written outside the voice pipeline causes, enqueued with it.

use super::CallRecord;
use crate::DbTime;
use crate::contacts::ContactUpsert;
use crate::jobs::NewJob;

/// The jobs a call written outside the voice pipeline causes (its outbound webhook events),
/// given the call and its contact, enqueued in the transaction that writes them.
pub type CallJobs<'a> =
    &'a (dyn Fn(&CallRecord, Option<&ContactUpsert>) -> Vec<NewJob> + Send + Sync);

/// No jobs: for callers that only record.
pub fn no_call_jobs(_: &CallRecord, _: Option<&ContactUpsert>) -> Vec<NewJob> {
    Vec::new()
}

/// Enqueues `jobs`' jobs on `conn` inside the caller's transaction, whoever the actor is
/// ([`crate::jobs::JobConn::enqueue_platform_job`]); true when any was new.
pub(super) async fn enqueue_call_jobs<C: crate::jobs::JobConn>(
    conn: &mut C,
    jobs: CallJobs<'_>,
    call: &CallRecord,
    contact: Option<&ContactUpsert>,
    now: DbTime,
) -> sqlx::Result<bool> {
    let mut any = false;
    for job in jobs(call, contact) {
        any |= conn.enqueue_platform_job(&job, now).await?;
    }
    Ok(any)
}
