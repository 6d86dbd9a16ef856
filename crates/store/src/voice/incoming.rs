//! `incoming`, the voice pipeline's hot path: the caller hears silence until it answers.
//!
//! On PostgreSQL the first delivery of a new call — nearly every `incoming` — is recorded in
//! one round trip by `djcalls_record_incoming_batch` (migration 0040), together with whatever
//! other deliveries arrived meanwhile (`batch.rs`): the routing answer, the event, the call row
//! with its attribution and its analytics deltas, the caller's contact and its outbound event,
//! in one commit. Anything else (a retry, a status callback that overtook the call's
//! `incoming`, a call row that already exists) takes the general path of
//! [`Store::record_voice_event_with`], which folds all of the call's events.
//! SQLite is in-process, so it has no round trips to save and takes the general path.

use super::VoiceUpdate;
use super::batch::IncomingArgs;
use crate::calls::CallRecord;
use crate::contacts::ContactUpsert;
use crate::jobs::NewJob;
use crate::numbers::VirtualNumber;
use crate::{DbTime, Pool, Store, StoreResult};
use djcalls_domain::attribution::{self, HIGH_WINDOW};
use djcalls_domain::voice::{CallFacts, VoiceEvent};
use djcalls_domain::{CallId, ContactId, DjProfileId};
use uuid::Uuid;

/// What recording an `incoming` delivery did, and where the call goes.
#[derive(Clone, Debug)]
pub struct IncomingRecorded {
    /// The number's DJ and real phone when the number is in service; `None` otherwise.
    pub forwarding: Option<VirtualNumber>,
    /// The call row this delivery created or updated, if the number has an owner.
    pub call: Option<(CallId, DjProfileId)>,
    /// False when the same delivery had been recorded before.
    pub new_event: bool,
    /// True when this delivery enqueued a job: the call's follow-up or an outbound event (on
    /// the one-statement path, the contact's).
    pub followup_enqueued: bool,
    /// The caller's contact, made or found in the same transaction as the call (whose
    /// contact event was enqueued there too: by `jobs` on the general path, by the function
    /// itself on PostgreSQL's one-statement path).
    pub contact: Option<ContactUpsert>,
}

/// What `djcalls_record_incoming_batch` answers for one delivery.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct IncomingRow {
    outcome: String,
    call_id: Option<Uuid>,
    owner: Option<Uuid>,
    dj_profile_id: Option<Uuid>,
    virtual_number: Option<String>,
    real_phone_number: Option<String>,
    dj_name: Option<String>,
    dj_slug: Option<String>,
    contact_id: Option<Uuid>,
    contact_created: Option<bool>,
    /// The function enqueued the contact's outbound event (migration 0034).
    event_queued: Option<bool>,
}

impl IncomingRow {
    fn forwarding(&self) -> Option<VirtualNumber> {
        Some(VirtualNumber {
            dj_profile_id: DjProfileId(self.dj_profile_id?),
            virtual_number: self.virtual_number.clone()?,
            real_phone_number: self.real_phone_number.clone()?,
            dj_name: self.dj_name.clone()?,
            dj_slug: self.dj_slug.clone()?,
        })
    }
}

impl Store {
    /// Records an `incoming` delivery (`event` must be [`VoiceEvent::Incoming`]) and returns
    /// the routing answer with it. `followup` is the same hook as in
    /// [`Store::record_voice_event_with`], used when the general path runs; the one-statement
    /// path never needs it, because a call whose only event is `incoming` is still ringing and
    /// no follow-up rule takes a ringing call.
    pub async fn record_incoming<F>(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        at: DbTime,
        followup: F,
    ) -> StoreResult<IncomingRecorded>
    where
        F: Fn(&CallFacts, &CallRecord) -> Option<NewJob> + Send + Sync,
    {
        self.record_incoming_jobs(call_sid, dedupe_key, event, at, |facts, call, _| {
            followup(facts, call).into_iter().collect()
        })
        .await
    }

    /// [`Store::record_incoming`] with every job the call causes, as
    /// [`Store::record_voice_event_jobs`] takes them. The one-statement path calls no hook: a
    /// ringing call causes no job but its contact's event, which the function enqueues itself
    /// (migration 0034).
    pub async fn record_incoming_jobs<F>(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        at: DbTime,
        jobs: F,
    ) -> StoreResult<IncomingRecorded>
    where
        F: Fn(&CallFacts, &CallRecord, Option<&ContactUpsert>) -> Vec<NewJob> + Send + Sync,
    {
        let VoiceEvent::Incoming { virtual_number, .. } = event else {
            return Err(crate::StoreError::Corrupt(
                "record_incoming takes an incoming event".into(),
            ));
        };
        let facts = CallFacts::fold([event]);
        let forwarding = match &self.pool {
            Pool::Pg(_) => {
                let row = self
                    .incoming_in_one_statement(call_sid, dedupe_key, event, &facts, at)
                    .await?;
                let forwarding = row.forwarding();
                if row.outcome == "recorded" {
                    let call = row
                        .call_id
                        .zip(row.owner)
                        .map(|(c, o)| (CallId(c), DjProfileId(o)));
                    let contact = call
                        .zip(row.contact_id)
                        .map(|((_, owner), id)| ContactUpsert {
                            contact_id: ContactId(id),
                            dj_profile_id: owner,
                            created: row.contact_created.unwrap_or(false),
                        });
                    return Ok(IncomingRecorded {
                        forwarding,
                        call,
                        new_event: true,
                        followup_enqueued: row.event_queued.unwrap_or(false),
                        contact,
                    });
                }
                forwarding
            }
            _ => self.active_number_by_virtual(virtual_number).await?,
        };
        let update = self
            .record_voice_event_jobs(call_sid, dedupe_key, event, at, jobs)
            .await?;
        Ok(from_general_path(forwarding, update))
    }

    /// How PostgreSQL's `incoming` deliveries were batched so far (all zero on SQLite).
    pub fn incoming_batch_sizes(&self) -> super::IncomingBatches {
        self.incoming_batches
            .as_ref()
            .map_or_else(Default::default, |b| b.sizes())
    }

    /// The one-statement path, through the batcher (`batch.rs`): concurrent deliveries share
    /// a statement and a commit.
    async fn incoming_in_one_statement(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        facts: &CallFacts,
        at: DbTime,
    ) -> StoreResult<IncomingRow> {
        let event =
            serde_json::to_string(event).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let args = IncomingArgs {
            call_sid: call_sid.to_string(),
            dedupe_key: dedupe_key.to_string(),
            event,
            at,
            event_id: Uuid::now_v7(),
            call_id: CallId::new_v7().0,
            virtual_number: facts.virtual_number.clone(),
            caller: facts.caller.clone(),
            caller_name: facts.caller_name.clone(),
            call_status: facts.status().as_str().to_string(),
            answered: facts.answered,
            voicemail_left: facts.voicemail_left,
            high_from: DbTime(at.0.saturating_sub(HIGH_WINDOW).unwrap_or(at.0)),
            low_from: DbTime(attribution::earliest_candidate(at.0)),
        };
        let batcher = self
            .incoming_batches
            .as_ref()
            .ok_or_else(|| crate::StoreError::Corrupt("no incoming batcher".into()))?;
        batcher.record(args).await
    }
}

fn from_general_path(forwarding: Option<VirtualNumber>, update: VoiceUpdate) -> IncomingRecorded {
    IncomingRecorded {
        forwarding,
        call: update.call.map(|c| (c.id, c.dj_profile_id)),
        new_event: update.new_event,
        followup_enqueued: update.followup_enqueued,
        contact: update.contact,
    }
}
