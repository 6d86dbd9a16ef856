//! `incoming`, the voice pipeline's hot path: the caller hears silence until it answers.
//!
//! On PostgreSQL the first delivery of a new call — nearly every `incoming` — is one statement,
//! `djcalls_record_incoming` (migration 0011): the routing answer, the event and the call row
//! with its attribution in one round trip and one commit. Anything else (a retry, a status
//! callback that overtook the call's `incoming`, a call row that already exists) takes the
//! general path of [`Store::record_voice_event_with`], which folds all of the call's events.
//! SQLite is in-process, so it has no round trips to save and takes the general path.

use super::VoiceUpdate;
use crate::calls::CallRecord;
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
    /// The call row this delivery created or updated, if the number has an owner.
    pub call: Option<(CallId, DjProfileId)>,
    /// False when the same delivery had been recorded before.
    pub new_event: bool,
    /// True when this delivery enqueued the call's follow-up job (general path only).
    pub followup_enqueued: bool,
}

#[derive(sqlx::FromRow)]
struct IncomingRow {
    outcome: String,
    call_id: Option<Uuid>,
    owner: Option<Uuid>,
    dj_profile_id: Option<Uuid>,
    virtual_number: Option<String>,
    real_phone_number: Option<String>,
    dj_name: Option<String>,
    dj_slug: Option<String>,
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
        let VoiceEvent::Incoming { virtual_number, .. } = event else {
            return Err(crate::StoreError::Corrupt(
                "record_incoming takes an incoming event".into(),
            ));
        };
        let facts = CallFacts::fold([event]);
        let forwarding = match &self.pool {
            Pool::Pg(pool) => {
                let row = self
                    .incoming_in_one_statement(pool, call_sid, dedupe_key, event, &facts, at)
                    .await?;
                let forwarding = row.forwarding();
                if row.outcome == "recorded" {
                    return Ok(IncomingRecorded {
                        forwarding,
                        call: row
                            .call_id
                            .zip(row.owner)
                            .map(|(c, o)| (CallId(c), DjProfileId(o))),
                        new_event: true,
                        followup_enqueued: false,
                    });
                }
                forwarding
            }
            _ => self.active_number_by_virtual(virtual_number).await?,
        };
        let update = self
            .record_voice_event_with(call_sid, dedupe_key, event, at, followup)
            .await?;
        Ok(from_general_path(forwarding, update))
    }

    async fn incoming_in_one_statement(
        &self,
        pool: &sqlx::PgPool,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        facts: &CallFacts,
        at: DbTime,
    ) -> StoreResult<IncomingRow> {
        let event_json =
            serde_json::to_string(event).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let high_from = DbTime(at.0.saturating_sub(HIGH_WINDOW).unwrap_or(at.0));
        let low_from = DbTime(attribution::earliest_candidate(at.0));
        Ok(sqlx::query_as::<_, IncomingRow>(
            "SELECT * FROM djcalls_record_incoming($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15)",
        )
        .bind(self.app_role.as_deref())
        .bind(call_sid)
        .bind(dedupe_key)
        .bind(&event_json)
        .bind(at)
        .bind(Uuid::now_v7())
        .bind(CallId::new_v7().0)
        .bind(&facts.virtual_number)
        .bind(&facts.caller)
        .bind(&facts.caller_name)
        .bind(facts.status().as_str())
        .bind(facts.answered)
        .bind(facts.voicemail_left)
        .bind(high_from)
        .bind(low_from)
        .fetch_one(pool)
        .await?)
    }
}

fn from_general_path(forwarding: Option<VirtualNumber>, update: VoiceUpdate) -> IncomingRecorded {
    IncomingRecorded {
        forwarding,
        call: update.call.map(|c| (c.id, c.dj_profile_id)),
        new_event: update.new_event,
        followup_enqueued: update.followup_enqueued,
    }
}
