//! `incoming`, the voice pipeline's hot path: the caller hears silence until it answers.
//!
//! On PostgreSQL `incoming` only makes its delivery durable and reads the routing answer, in
//! one statement shared with whatever other deliveries arrived meanwhile (`batch.rs`,
//! `djcalls_accept_incoming_batch`, migration 0041): the event and its projection row, in one
//! commit. The call row, its attribution, summaries, contact and outbound event follow about
//! 0.1 s later, projected in large batches (`projection.rs`), which the app starts as soon as
//! the delivery is accepted. SQLite is in-process, so it has no round trips to save:
//! it records the whole call on the general path of [`Store::record_voice_event_with`], which
//! folds all of the call's events.

use super::VoiceUpdate;
use super::batch::IncomingArgs;
use crate::calls::CallRecord;
use crate::contacts::ContactUpsert;
use crate::jobs::NewJob;
use crate::numbers::VirtualNumber;
use crate::{DbTime, Pool, Store, StoreResult};
use djcalls_domain::attribution::{self, HIGH_WINDOW};
use djcalls_domain::voice::{CallFacts, VoiceEvent};
use djcalls_domain::{CallId, DjProfileId};
use uuid::Uuid;

/// What recording an `incoming` delivery did, and where the call goes.
#[derive(Clone, Debug)]
pub struct IncomingRecorded {
    /// The number's DJ and real phone when the number is in service; `None` otherwise.
    pub forwarding: Option<VirtualNumber>,
    /// The call row this delivery created or updated, if the number has an owner (`None`
    /// while the delivery waits for its projection).
    pub call: Option<(CallId, DjProfileId)>,
    /// False when the same delivery had been recorded before.
    pub new_event: bool,
    /// True when this delivery enqueued a job: the call's follow-up or an outbound event.
    pub followup_enqueued: bool,
    /// The caller's contact, made or found in the same transaction as the call (`None` while
    /// the delivery waits for its projection).
    pub contact: Option<ContactUpsert>,
    /// True when the delivery was accepted and its call is still to be projected
    /// ([`Store::project_incoming_jobs`]); PostgreSQL only.
    pub projection_pending: bool,
}

/// What `djcalls_accept_incoming_batch` answers for one delivery.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AcceptedRow {
    new_event: bool,
    dj_profile_id: Option<Uuid>,
    virtual_number: Option<String>,
    real_phone_number: Option<String>,
    dj_name: Option<String>,
    dj_slug: Option<String>,
}

impl AcceptedRow {
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
    /// [`Store::record_voice_event_with`], used when the general path runs (SQLite); on
    /// PostgreSQL the delivery is accepted and its call projected later
    /// ([`Store::project_incoming_jobs`]).
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
    /// [`Store::record_voice_event_jobs`] takes them. PostgreSQL's door calls no hook: the
    /// projection does, for a call it folds on the general path.
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
        if let Pool::Pg(_) = &self.pool {
            let row = self
                .accept_incoming(call_sid, dedupe_key, event, &facts, at)
                .await?;
            return Ok(IncomingRecorded {
                forwarding: row.forwarding(),
                call: None,
                new_event: row.new_event,
                followup_enqueued: false,
                contact: None,
                projection_pending: row.new_event,
            });
        }
        let forwarding = self.active_number_by_virtual(virtual_number).await?;
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

    /// PostgreSQL's door, through the batcher (`batch.rs`): concurrent deliveries share a
    /// statement and a commit.
    async fn accept_incoming(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        facts: &CallFacts,
        at: DbTime,
    ) -> StoreResult<AcceptedRow> {
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
        projection_pending: false,
    }
}
