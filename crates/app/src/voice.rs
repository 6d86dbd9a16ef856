//! The call flow (SPEC §4): what to do with each verified Twilio voice webhook. Every delivery
//! is recorded as an event and the call re-folded from all of its events, so duplicates and
//! out-of-order deliveries never duplicate anything or move a call backwards.

use crate::{App, AppResult};
use djcalls_domain::voice::{CallDecision, VoiceEvent};
use djcalls_domain::{CallId, DjProfileId, PhoneNumber};
use djcalls_store::voice::VoiceUpdate;
use djcalls_telephony::CallSid;

impl App {
    /// Records one delivery and re-folds its call; when the update makes the call qualify for a
    /// follow-up, the follow-up job is enqueued in the same transaction (once per call).
    async fn record_voice(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: &VoiceEvent,
    ) -> AppResult<VoiceUpdate> {
        let now = self.now();
        let update = self
            .store
            .record_voice_event_with(
                call_sid.as_str(),
                delivery_key,
                event,
                now,
                |facts, call| self.followup_job_for(facts, call, now),
            )
            .await?;
        self.announce_delivery(
            update.call.as_ref().map(|c| (c.id, c.dj_profile_id)),
            update.new_event,
            update.followup_enqueued,
        );
        Ok(update)
    }

    /// After a delivery committed: wakes the job runners (here and, through the relay, in the
    /// other processes) for a new follow-up job and tells live dashboards about a call that
    /// changed.
    fn announce_delivery(
        &self,
        call: Option<(CallId, DjProfileId)>,
        new_event: bool,
        followup_enqueued: bool,
    ) {
        if followup_enqueued {
            self.jobs_due_now();
        }
        if let Some((call_id, dj_profile_id)) = call.filter(|_| new_event) {
            self.live.publish(crate::live::CallChanged {
                call_id,
                dj_profile_id,
            });
        }
    }
}

impl App {
    /// The number's Voice URL: the routing answer and the recorded event come from one store
    /// call (on PostgreSQL one round trip for a new call). A call to an unknown number is kept
    /// for the record, without a call row.
    pub async fn incoming_call(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<CallDecision> {
        if !matches!(event, VoiceEvent::Incoming { .. }) {
            return Err(crate::AppError::invalid("event", "is not an incoming call"));
        }
        let now = self.now();
        let recorded = self
            .store
            .record_incoming(
                call_sid.as_str(),
                delivery_key,
                &event,
                now,
                |facts, call| self.followup_job_for(facts, call, now),
            )
            .await?;
        self.announce_delivery(
            recorded.call,
            recorded.new_event,
            recorded.followup_enqueued,
        );
        Ok(match recorded.forwarding {
            Some(f) => CallDecision::forward(
                &f.dj_name,
                PhoneNumber::from_trusted_e164(f.real_phone_number),
                PhoneNumber::from_trusted_e164(f.virtual_number),
                self.settings.record_calls,
            ),
            None => CallDecision::not_in_service(),
        })
    }

    /// `<Dial action>`: hang up after a conversation, otherwise offer voicemail.
    pub async fn dial_finished(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<CallDecision> {
        let update = self.record_voice(call_sid, delivery_key, &event).await?;
        if update.facts.answered {
            return Ok(CallDecision::hang_up());
        }
        let dj_name = match &update.call {
            Some(call) => self
                .store
                .profile(&djcalls_domain::Actor::System, call.dj_profile_id)
                .await?
                .map(|p| p.dj_name),
            None => None,
        };
        Ok(CallDecision::voicemail(dj_name.as_deref()))
    }

    /// `<Record action>` after the voicemail prompt: records the message if one was made, and
    /// ends the call.
    pub async fn voicemail_complete(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        recording: Option<VoiceEvent>,
    ) -> AppResult<CallDecision> {
        if let Some(event) = recording {
            self.voice_event(call_sid, delivery_key, event).await?;
        }
        Ok(CallDecision::voicemail_taken())
    }

    /// Status, recording, transcription and voicemail-complete callbacks.
    pub async fn voice_event(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<VoiceUpdate> {
        let update = self.record_voice(call_sid, delivery_key, &event).await?;
        if let Some(call) = &update.call
            && update.new_event
        {
            tracing::info!(call_id = %call.id, status = %call.call_status, "call updated");
        }
        Ok(update)
    }
}

/// A call's recording, fetched from the provider with the account's credentials.
pub struct Recording {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl App {
    /// The audio of a call the actor may see. The provider's URL never leaves the service.
    pub async fn recording(
        &self,
        actor: &djcalls_domain::Actor,
        id: djcalls_domain::CallId,
    ) -> AppResult<Recording> {
        let call = self.get_call(actor, id).await?;
        let sid = call
            .recording_sid
            .as_deref()
            .and_then(djcalls_telephony::RecordingSid::parse)
            .ok_or(crate::AppError::NotFound("recording"))?;
        let audio = self.telephony.fetch_recording(&sid).await.map_err(|e| {
            tracing::warn!(error = %e, "recording fetch failed");
            crate::AppError::Unavailable("the recording could not be fetched; please try again")
        })?;
        Ok(Recording {
            content_type: audio.content_type,
            bytes: audio.bytes,
        })
    }
}
