//! Call quality (SPEC §12): after a Twilio call ends, a durable job reads Twilio Voice
//! Insights' call summary and stores who hung up, the post-dial delay and the media figures on
//! the call; admins see the platform-wide figures.
//!
//! The job is enqueued in the voice fold's transaction (`App::jobs_for_call`) once the call has
//! ended, once per call (`call_quality:<call id>`), and only with Voice Insights configured
//! (`Settings::call_quality`: real Twilio). Twilio has no summary for a few minutes (404, or a
//! `partial` one), so the first read waits [`FIRST_READ_AFTER`] and a summary not ready yet is
//! retried with the runner's backoff (30 s doubling), like a 429 or 5xx; after
//! [`CallQualityJob::MAX_ATTEMPTS`] reads — about half an hour after the call, when Twilio
//! says a summary is complete — the job gives up, logs it, and is kept as dead for admins.
//! A refusal (401/403, other 4xx) is permanent at once.

use crate::jobs::{JobKind, JobOutcome};
use crate::{App, AppResult};
use djcalls_domain::quality::QualityFigures;
use djcalls_domain::voice::CallFacts;
use djcalls_domain::{Actor, CallId, DjProfileId};
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;
use djcalls_store::jobs::{Job, NewJob, later};
use djcalls_telephony::{CallSid, SummaryAnswer, fetch_call_summary};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Twilio needs a few minutes after a call for its summary: no read before this.
pub const FIRST_READ_AFTER: SignedDuration = SignedDuration::from_mins(2);

/// Reads one call's summary and stores its quality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallQualityJob {
    pub call_id: Uuid,
    pub dj_profile_id: Uuid,
    pub call_sid: String,
}

impl JobKind for CallQualityJob {
    const KIND: &'static str = "call_quality";
    /// With the 30 s doubling backoff after a first read 2 minutes after the call, the 7th
    /// read comes about 33 minutes after it.
    const MAX_ATTEMPTS: i32 = 7;

    fn dedupe_key(&self) -> String {
        format!("{}:{}", Self::KIND, self.call_id)
    }

    async fn run(self, app: &App, job: &Job) -> JobOutcome {
        let Some(config) = app.settings.call_quality.as_ref() else {
            return JobOutcome::Done;
        };
        let Some(sid) = CallSid::parse(&self.call_sid) else {
            return JobOutcome::Failed("not a Twilio call SID".into());
        };
        match fetch_call_summary(config, &sid).await {
            Ok(SummaryAnswer::Ready(quality)) => {
                let call_id = CallId(self.call_id);
                match app
                    .store
                    .record_call_quality(call_id, &quality, app.now())
                    .await
                {
                    Ok(true) => {
                        app.live.publish(crate::live::CallChanged {
                            call_id,
                            dj_profile_id: DjProfileId(self.dj_profile_id),
                        });
                        JobOutcome::Done
                    }
                    Ok(false) => JobOutcome::Done,
                    Err(e) => JobOutcome::Retry(format!("storing the quality: {e}")),
                }
            }
            Ok(SummaryAnswer::NotReady) if job.attempts >= Self::MAX_ATTEMPTS => {
                tracing::warn!(call_id = %self.call_id, call_sid = %sid, attempts = job.attempts, "Twilio never had a call summary for this call; giving up on its quality");
                JobOutcome::Failed("the call summary never became ready".into())
            }
            Ok(SummaryAnswer::NotReady) => {
                JobOutcome::Retry("the call summary is not ready yet".into())
            }
            Err(e) if e.is_retryable() => JobOutcome::Retry(e.to_string()),
            Err(e) => JobOutcome::Failed(e.to_string()),
        }
    }
}

impl App {
    /// The quality job of a Twilio call that has just ended (none without Voice Insights, for
    /// a call still going on, or one without a Twilio SID).
    pub(crate) fn quality_job_for(
        &self,
        facts: &CallFacts,
        call: &CallRecord,
        now: DbTime,
    ) -> Option<NewJob> {
        self.settings.call_quality.as_ref()?;
        if !facts.ended() {
            return None;
        }
        let job = CallQualityJob {
            call_id: call.id.0,
            dj_profile_id: call.dj_profile_id.0,
            call_sid: call.call_sid.clone()?,
        };
        match job.to_new_job(Some(call.dj_profile_id), later(now, FIRST_READ_AFTER)) {
            Ok(job) => Some(job),
            Err(e) => {
                tracing::error!(error = %e, "a call quality job could not be written");
                None
            }
        }
    }

    /// Quality over every call the platform has it for (admins only).
    pub async fn quality_figures(&self, actor: &Actor) -> AppResult<QualityFigures> {
        if !actor.is_platform() {
            return Err(crate::AppError::Forbidden);
        }
        Ok(self.store.quality_figures(actor).await?)
    }
}
