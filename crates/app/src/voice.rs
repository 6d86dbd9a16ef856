//! The call flow (SPEC §4): what to do with each verified Twilio voice webhook. Every delivery
//! is recorded as an event and the call re-folded from all of its events, so duplicates and
//! out-of-order deliveries never duplicate anything or move a call backwards.

use crate::contacts::ContactTouch;
use crate::outage::{Door, VOICE_DEADLINE};
use crate::{App, AppError, AppResult};
use djcalls_domain::voice::{CallDecision, CallFacts, VoiceEvent};
use djcalls_domain::{CallId, DjProfileId, PhoneNumber};
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;
use djcalls_store::contacts::ContactUpsert;
use djcalls_store::jobs::NewJob;
use djcalls_store::voice::{IncomingRecorded, VoiceUpdate};
use djcalls_telephony::CallSid;

impl App {
    /// Records one delivery that arrived `at` and re-folds its call; when the update makes the
    /// call qualify for a follow-up, the follow-up job is enqueued in the same transaction (once
    /// per call).
    pub(crate) async fn record_voice(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: &VoiceEvent,
        at: DbTime,
    ) -> AppResult<VoiceUpdate> {
        let now = self.now();
        let update = self
            .store
            .record_voice_event_jobs(
                call_sid.as_str(),
                delivery_key,
                event,
                at,
                |facts, call, contact| self.jobs_for_call(facts, call, contact, now),
            )
            .await?;
        self.announce_delivery(
            update.call.as_ref().map(|c| (c.id, c.dj_profile_id)),
            update.new_event,
            update.followup_enqueued,
        );
        if update.new_event {
            self.count_contact_of_call(update.contact);
        }
        Ok(update)
    }

    /// Records an `incoming` delivery that arrived `at`, with the routing answer: on PostgreSQL
    /// one round trip that makes the delivery durable, its call projected right after
    /// (`projection.rs`). The answer also refreshes the routing table in memory.
    pub(crate) async fn record_incoming_at(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: &VoiceEvent,
        at: DbTime,
    ) -> AppResult<IncomingRecorded> {
        let VoiceEvent::Incoming { virtual_number, .. } = event else {
            return Err(AppError::invalid("event", "is not an incoming call"));
        };
        let now = self.now();
        let recorded = self
            .store
            .record_incoming_jobs(
                call_sid.as_str(),
                delivery_key,
                event,
                at,
                |facts, call, contact| self.jobs_for_call(facts, call, contact, now),
            )
            .await?;
        self.announce_delivery(
            recorded.call,
            recorded.new_event,
            recorded.followup_enqueued,
        );
        if recorded.new_event {
            self.count_contact_of_call(recorded.contact);
        }
        if recorded.projection_pending {
            self.project_soon();
        }
        self.routing
            .remember(virtual_number, recorded.forwarding.as_ref());
        Ok(recorded)
    }

    /// [`App::record_voice`] within [`VOICE_DEADLINE`]; otherwise the delivery goes to the
    /// spool and `Ok(None)` says so. `Err` only when the spool could not take it either.
    async fn record_or_spool(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: &VoiceEvent,
    ) -> AppResult<Option<VoiceUpdate>> {
        let now = self.now();
        let failure = match tokio::time::timeout(
            VOICE_DEADLINE,
            self.record_voice(call_sid, delivery_key, event, now),
        )
        .await
        {
            Ok(Ok(update)) => return Ok(Some(update)),
            Ok(Err(e)) => e,
            Err(_) => AppError::Unavailable("the database did not answer in time"),
        };
        tracing::warn!(call_sid = %call_sid, error = %failure, "a voice webhook could not be recorded");
        match self
            .spool_delivery(Door::Event, call_sid, delivery_key, event, now)
            .await
        {
            Ok(()) => Ok(None),
            Err(_) => Err(failure),
        }
    }

    /// Every job an updated call causes, enqueued in the transaction of the update: its
    /// follow-up text, its outbound webhook events and its contact's (for a new delivery),
    /// and, once it ended, its quality read.
    pub(crate) fn jobs_for_call(
        &self,
        facts: &CallFacts,
        call: &CallRecord,
        contact: Option<&ContactUpsert>,
        now: DbTime,
    ) -> Vec<NewJob> {
        let mut jobs: Vec<NewJob> = self
            .followup_job_for(facts, call, now)
            .into_iter()
            .collect();
        jobs.extend(self.call_webhook_jobs(facts, call, now));
        jobs.extend(self.quality_job_for(facts, call, now));
        jobs.extend(contact.map(|c| self.contact_webhook_job(&ContactTouch::Call(*c), now)));
        jobs
    }

    /// After a delivery committed: wakes the job runners (here and, through the relay, in the
    /// other processes) for a new job and tells live dashboards about a call that
    /// changed.
    pub(crate) fn announce_delivery(
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
    /// for the record, without a call row. When the database cannot answer within
    /// [`VOICE_DEADLINE`], the caller is connected from the routing table in memory and the
    /// delivery is spooled (SPEC §10): this never fails a caller for the database's sake.
    pub async fn incoming_call(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<CallDecision> {
        let VoiceEvent::Incoming { virtual_number, .. } = &event else {
            return Err(AppError::invalid("event", "is not an incoming call"));
        };
        let now = self.now();
        let recorded = tokio::time::timeout(
            VOICE_DEADLINE,
            self.record_incoming_at(call_sid, delivery_key, &event, now),
        )
        .await;
        let forwarding = match recorded {
            Ok(Ok(recorded)) => recorded.forwarding,
            failed => {
                let error = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "the database did not answer in time".to_string(),
                };
                tracing::warn!(call_sid = %call_sid, error, "incoming call not recorded: connecting it from the routing table in memory");
                // Connected even when the spool fails too (that is logged, naming the path).
                let _ = self
                    .spool_delivery(Door::Incoming, call_sid, delivery_key, &event, now)
                    .await;
                self.routing.lookup(virtual_number)
            }
        };
        Ok(match forwarding {
            Some(f) => CallDecision::forward(
                &f.dj_name,
                PhoneNumber::from_trusted_e164(f.real_phone_number),
                PhoneNumber::from_trusted_e164(f.virtual_number),
                self.settings.record_calls,
            )
            .with_transcription(self.settings.transcribe_calls),
            None => CallDecision::not_in_service(),
        })
    }

    /// `<Dial action>`: hang up after a conversation, otherwise offer voicemail. `called` is
    /// the virtual number (for the DJ's name when the database is away).
    pub async fn dial_finished(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: VoiceEvent,
        called: Option<&str>,
    ) -> AppResult<CallDecision> {
        // The caller is on the line: decided from this delivery alone if it cannot be recorded.
        let update = self
            .record_or_spool(call_sid, delivery_key, &event)
            .await
            .ok()
            .flatten();
        let answered = match &update {
            Some(update) => update.facts.answered,
            None => CallFacts::fold([&event]).answered,
        };
        if answered {
            return Ok(CallDecision::hang_up());
        }
        let call = update.as_ref().and_then(|u| u.call.as_ref());
        let dj_name = match call {
            Some(call) => self.dj_name(call.dj_profile_id).await,
            None => None,
        }
        .or_else(|| {
            let number = call.and_then(|c| c.virtual_number.as_deref()).or(called)?;
            Some(self.routing.lookup(number)?.dj_name)
        });
        Ok(CallDecision::voicemail(dj_name.as_deref()))
    }

    /// The DJ's name for a prompt, if the database gives it in time.
    async fn dj_name(&self, dj: DjProfileId) -> Option<String> {
        let profile = self.store.profile(&djcalls_domain::Actor::System, dj);
        match tokio::time::timeout(VOICE_DEADLINE, profile).await {
            Ok(Ok(profile)) => profile.map(|p| p.dj_name),
            _ => None,
        }
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
            // The caller is still on the line: they hear goodbye whatever the database does.
            let _ = self.record_or_spool(call_sid, delivery_key, &event).await;
        }
        Ok(CallDecision::voicemail_taken())
    }

    /// Status, recording and transcription callbacks. `Err` only when the delivery could be
    /// neither recorded nor spooled (Twilio should try again).
    pub async fn voice_event(
        &self,
        call_sid: &CallSid,
        delivery_key: &str,
        event: VoiceEvent,
    ) -> AppResult<()> {
        if let Some(update) = self.record_or_spool(call_sid, delivery_key, &event).await?
            && let Some(call) = &update.call
            && update.new_event
        {
            tracing::info!(call_id = %call.id, status = %call.call_status, "call updated");
        }
        Ok(())
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
