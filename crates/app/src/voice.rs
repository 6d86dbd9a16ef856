//! The call flow (SPEC §4): what to do with each verified Twilio voice webhook. Every delivery
//! is recorded as an event and the call re-folded from all of its events, so duplicates and
//! out-of-order deliveries never duplicate anything or move a call backwards.

use crate::{App, AppResult};
use djcalls_domain::PhoneNumber;
use djcalls_domain::voice::VoiceEvent;
use djcalls_store::voice::VoiceUpdate;

impl App {
    /// Records one delivery and re-folds its call; when the update makes the call qualify for a
    /// follow-up, the follow-up job is enqueued in the same transaction (once per call).
    async fn record_voice(
        &self,
        call_sid: &str,
        delivery_key: &str,
        event: &VoiceEvent,
    ) -> AppResult<VoiceUpdate> {
        let now = self.now();
        let update = self
            .store
            .record_voice_event_with(call_sid, delivery_key, event, now, |facts, call| {
                self.followup_job_for(facts, call, now)
            })
            .await?;
        if update.followup_enqueued {
            crate::jobs::wake_runners();
        }
        if let Some(call) = update.call.as_ref().filter(|_| update.new_event) {
            self.live.publish(crate::live::CallChanged {
                call_id: call.id,
                dj_profile_id: call.dj_profile_id,
            });
        }
        Ok(update)
    }
}

/// How to answer an incoming call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncomingDecision {
    /// Forward to the DJ's real number, showing the virtual number as caller id.
    Forward {
        dj_name: String,
        dj_number: PhoneNumber,
        virtual_number: PhoneNumber,
        record: bool,
    },
    /// The number is unknown, released, or its DJ has no real number.
    NotInService,
}

/// What the caller hears after forwarding ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialDecision {
    /// The DJ answered and the conversation is over.
    Hangup,
    /// Nobody answered: take a message for the DJ.
    Voicemail { dj_name: String },
}

impl App {
    /// The number's Voice URL. One indexed lookup decides the answer; the event is recorded
    /// either way (a call to an unknown number is kept for the record, without a call row).
    pub async fn incoming_call(
        &self,
        call_sid: &str,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<IncomingDecision> {
        let VoiceEvent::Incoming { virtual_number, .. } = &event else {
            return Err(crate::AppError::invalid("event", "is not an incoming call"));
        };
        let forwarding = self.store.active_number_by_virtual(virtual_number).await?;
        self.record_voice(call_sid, delivery_key, &event).await?;
        Ok(match forwarding {
            Some(f) => IncomingDecision::Forward {
                dj_name: f.dj_name,
                dj_number: PhoneNumber::from_trusted_e164(f.real_phone_number),
                virtual_number: PhoneNumber::from_trusted_e164(f.virtual_number),
                record: self.settings.record_calls,
            },
            None => IncomingDecision::NotInService,
        })
    }

    /// `<Dial action>`: hang up after a conversation, otherwise offer voicemail.
    pub async fn dial_finished(
        &self,
        call_sid: &str,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<DialDecision> {
        let update = self.record_voice(call_sid, delivery_key, &event).await?;
        if update.facts.answered {
            return Ok(DialDecision::Hangup);
        }
        let dj_name = match &update.call {
            Some(call) => self
                .store
                .profile(&djcalls_domain::Actor::System, call.dj_profile_id)
                .await?
                .map(|p| p.dj_name),
            None => None,
        };
        Ok(DialDecision::Voicemail {
            dj_name: dj_name.unwrap_or_else(|| "the DJ".to_string()),
        })
    }

    /// Status, recording, transcription and voicemail-complete callbacks.
    pub async fn voice_event(
        &self,
        call_sid: &str,
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
