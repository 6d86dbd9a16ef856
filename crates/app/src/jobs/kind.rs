//! Typed jobs: each kind of background job is a type whose fields are its payload and whose
//! `run` is its handler (as the crates.io registry's background jobs are). The queue stores
//! [`JobKind::KIND`] and the payload's JSON; [`dispatch`] is the one place that turns a stored
//! kind back into its type, so nothing else names a job kind by string.

use super::JobOutcome;
use crate::App;
use crate::call_quality::CallQualityJob;
use crate::conversions::{Ga4Conversion, MetaConversion};
use crate::fallback::ReconcileCalls;
use crate::followup::FollowupSms;
use crate::webhooks::{WebhookDeliveryJob, WebhookEventJob};
use djcalls_domain::DjProfileId;
use djcalls_store::DbTime;
use djcalls_store::jobs::{Job, NewJob};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub trait JobKind: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stored in `jobs.kind`: never rename it while jobs of this kind may be queued.
    const KIND: &'static str;
    /// Attempts before the job is kept as dead for an admin to see.
    const MAX_ATTEMPTS: i32;

    /// One job per key, ever: enqueueing the same cause twice queues one job.
    fn dedupe_key(&self) -> String;

    /// Does the work. Delivery is at least once (a worker may die mid-job and the job is
    /// claimed again after its lease), so this must be idempotent.
    fn run(self, app: &App, job: &Job) -> impl Future<Output = JobOutcome> + Send;

    /// The queue row for this job, due at `run_at`.
    fn to_new_job(
        &self,
        dj_profile_id: Option<DjProfileId>,
        run_at: DbTime,
    ) -> serde_json::Result<NewJob> {
        Ok(NewJob {
            kind: Self::KIND.to_string(),
            payload: serde_json::to_string(self)?,
            dedupe_key: self.dedupe_key(),
            dj_profile_id,
            run_at,
            max_attempts: Self::MAX_ATTEMPTS,
        })
    }
}

/// Runs a claimed job with the handler of its kind. A kind this build does not know, or a
/// payload that does not decode, is a permanent failure (kept as dead, never retried blindly).
pub(super) async fn dispatch(app: &App, job: &Job) -> JobOutcome {
    match job.kind.as_str() {
        FollowupSms::KIND => run::<FollowupSms>(app, job).await,
        ReconcileCalls::KIND => run::<ReconcileCalls>(app, job).await,
        WebhookEventJob::KIND => run::<WebhookEventJob>(app, job).await,
        WebhookDeliveryJob::KIND => run::<WebhookDeliveryJob>(app, job).await,
        Ga4Conversion::KIND => run::<Ga4Conversion>(app, job).await,
        MetaConversion::KIND => run::<MetaConversion>(app, job).await,
        CallQualityJob::KIND => run::<CallQualityJob>(app, job).await,
        _ => JobOutcome::Failed("unknown job kind".to_string()),
    }
}

async fn run<K: JobKind>(app: &App, job: &Job) -> JobOutcome {
    match serde_json::from_str::<K>(&job.payload) {
        Ok(task) => task.run(app, job).await,
        Err(_) => JobOutcome::Failed("unreadable payload".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use djcalls_domain::CallId;
    use jiff::Timestamp;
    use uuid::Uuid;

    #[test]
    fn a_typed_job_becomes_a_queue_row_with_its_kind_key_and_payload() {
        let call_id = Uuid::from_u128(7);
        let at = DbTime(Timestamp::UNIX_EPOCH);
        let row = FollowupSms { call_id }.to_new_job(None, at).expect("json");
        assert_eq!(row.kind, "followup_sms");
        assert_eq!(row.dedupe_key, format!("followup:{}", CallId(call_id)));
        assert_eq!(row.max_attempts, FollowupSms::MAX_ATTEMPTS);
        let back: FollowupSms = serde_json::from_str(&row.payload).expect("decodes");
        assert_eq!(back.call_id, call_id);
        assert_eq!(row.payload, format!("{{\"call_id\":\"{call_id}\"}}"));
    }
}
