//! Real-Time Transcription of answered calls (SPEC §12): each final segment Twilio posts is
//! recorded once per sequence id and the call's transcript and insights re-made from all of
//! them (`Store::record_transcript_segment_with`). Segments of a call not known yet are kept and
//! applied when the call's row is written. A segment that changes the insights of a call that
//! is over raises its `insights.ready` (once per call, `App::insights_ready_job`) in the same
//! transaction.

use crate::{App, AppResult};
use djcalls_domain::transcript::TranscriptSegment;
use djcalls_telephony::CallSid;

impl App {
    /// Records one final segment of `call_sid`'s conversation (already redacted). Unlike the
    /// other voice callbacks, nobody is on the line waiting: a database failure is an error,
    /// and Twilio delivers the segment again.
    pub async fn transcript_segment(
        &self,
        call_sid: &CallSid,
        segment: &TranscriptSegment,
    ) -> AppResult<()> {
        let now = self.now();
        let update = self
            .store
            .record_transcript_segment_with(call_sid.as_str(), segment, now, |call| {
                self.insights_ready_job(call, now).into_iter().collect()
            })
            .await?;
        if update.jobs_enqueued {
            self.jobs_due_now();
        }
        if let Some(call) = update.call.as_ref().filter(|_| update.new_segment) {
            self.live.publish(crate::live::CallChanged {
                call_id: call.id,
                dj_profile_id: call.dj_profile_id,
            });
        }
        Ok(())
    }
}

impl App {
    /// Records that `call_sid`'s Real-Time Transcription started or stopped: while it runs, the
    /// call's follow-up waits (bounded) for the insights its words bring.
    pub async fn live_transcription(
        &self,
        call_sid: &CallSid,
        state: djcalls_domain::transcript::LiveTranscription,
    ) -> AppResult<()> {
        // `transcription-started` follows the TwiML answer at once: on PostgreSQL the call's
        // row may still be waiting for its projection, and this state needs the row.
        self.project_call(call_sid.as_str()).await?;
        self.store
            .record_live_transcription(call_sid.as_str(), state)
            .await?;
        Ok(())
    }
}
