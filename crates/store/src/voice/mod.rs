//! The voice pipeline's persistence: append a verified webhook as an event and re-fold its
//! call, in one transaction per delivery, serialised per call. `incoming`, the hot path, has
//! its own door (`incoming.rs`) that does the common case in one round trip on PostgreSQL.
//! Transcript segments of answered calls have theirs (`transcript.rs`).

mod batch;
mod incoming;
mod insights;
mod projection;
mod seeded;
mod transcript;
pub(crate) use batch::IncomingBatcher;
pub use batch::IncomingBatches;
pub use incoming::IncomingRecorded;
pub use projection::{IncomingProjected, Projection};
use transcript::TranscriptConn;
pub use transcript::TranscriptUpdate;

use crate::calls::CallRecord;
use crate::contacts::{ContactUpsert, upsert_contact};
use crate::jobs::NewJob;
use crate::{Backend, DbTime, Store, StoreResult, sql_with};
use djcalls_domain::voice::{CallFacts, VoiceEvent};
use djcalls_domain::{Actor, CallId};
use uuid::Uuid;

/// What a delivery did.
#[derive(Clone, Debug)]
pub struct VoiceUpdate {
    /// The call after this delivery; `None` while its number is unknown (the event is kept).
    pub call: Option<CallRecord>,
    /// False when the same delivery had been recorded before.
    pub new_event: bool,
    pub facts: CallFacts,
    /// True when this delivery enqueued the call's follow-up job (in the same transaction).
    pub followup_enqueued: bool,
    /// The caller's contact, made or found in the same transaction; `None` without a call row
    /// or a caller number.
    pub contact: Option<ContactUpsert>,
}

const CALL_COLUMNS: &str = crate::calls::COLUMNS;

/// The delivery a fold brings in.
pub(crate) enum Delivery<'a> {
    /// Arriving now: stored once per key.
    Arrived {
        dedupe_key: &'a str,
        event_json: String,
    },
    /// Stored already by `incoming` on PostgreSQL, waiting in `incoming_unprojected`; `wait`
    /// for a projection that holds it to finish (and find it gone), or skip it.
    Accepted { event_id: Uuid, wait: bool },
}

impl Store {
    /// Records `event` for `call_sid` once (per `dedupe_key`) and brings the call record in line
    /// with all of the call's events.
    pub async fn record_voice_event(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        at: DbTime,
    ) -> StoreResult<VoiceUpdate> {
        self.record_voice_event_with(call_sid, dedupe_key, event, at, |_, _| None)
            .await
    }

    /// [`Store::record_voice_event`], and in the same transaction enqueues the job `followup`
    /// returns for the updated call (at most once per job dedupe key). The job exists if and
    /// only if the call update that caused it committed.
    pub async fn record_voice_event_with<F>(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        at: DbTime,
        followup: F,
    ) -> StoreResult<VoiceUpdate>
    where
        F: Fn(&CallFacts, &CallRecord) -> Option<NewJob> + Send + Sync,
    {
        self.record_voice_event_jobs(call_sid, dedupe_key, event, at, |facts, call, _| {
            followup(facts, call).into_iter().collect()
        })
        .await
    }

    /// [`Store::record_voice_event_with`] with every job the updated call causes (the
    /// follow-up, outbound webhook events), each enqueued in the same transaction at most once
    /// per dedupe key. `followup_enqueued` is then true when any of them was new. `jobs` is
    /// given the caller's contact when this delivery is new (a repeat touches nothing).
    pub async fn record_voice_event_jobs<F>(
        &self,
        call_sid: &str,
        dedupe_key: &str,
        event: &VoiceEvent,
        at: DbTime,
        jobs: F,
    ) -> StoreResult<VoiceUpdate>
    where
        F: Fn(&CallFacts, &CallRecord, Option<&ContactUpsert>) -> Vec<NewJob> + Send + Sync,
    {
        let event_json =
            serde_json::to_string(event).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let delivery = Delivery::Arrived {
            dedupe_key,
            event_json,
        };
        self.fold_delivery(call_sid, delivery, at, &jobs)
            .await?
            .ok_or_else(|| crate::StoreError::Corrupt("a delivery was not recorded".into()))
    }

    /// Folds `call_sid` with `delivery` in one transaction: a new delivery is stored first (once
    /// per key); an accepted `incoming` (`projection.rs`) has its projection row taken and
    /// removed instead, and is `None` when another transaction has it (unless told to wait)
    /// or it is gone already.
    pub(crate) async fn fold_delivery<F>(
        &self,
        call_sid: &str,
        delivery: Delivery<'_>,
        at: DbTime,
        jobs: &F,
    ) -> StoreResult<Option<VoiceUpdate>>
    where
        F: Fn(&CallFacts, &CallRecord, Option<&ContactUpsert>) -> Vec<NewJob> + Send + Sync,
    {
        let is_postgres = self.backend() == Backend::Postgres;
        Ok(Some(in_tx!(self, &Actor::System, write, |conn| {
            if is_postgres {
                if let Delivery::Accepted { event_id, wait } = &delivery {
                    // Its projection row is taken (and removed, with this transaction) first,
                    // then the call's lock: the order in which `djcalls_project_incoming` takes
                    // them (migration 0041). Waiting for the row holds nothing another
                    // transaction could wait for.
                    let mine: Option<Uuid> = sqlx::query_scalar(if *wait {
                        "DELETE FROM incoming_unprojected WHERE event_id = \
                         (SELECT event_id FROM incoming_unprojected WHERE event_id = $1 \
                          FOR UPDATE) RETURNING event_id"
                    } else {
                        "DELETE FROM incoming_unprojected WHERE event_id = \
                         (SELECT event_id FROM incoming_unprojected WHERE event_id = $1 \
                          FOR UPDATE SKIP LOCKED) RETURNING event_id"
                    })
                    .bind(event_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if mine.is_none() {
                        return Ok(None);
                    }
                }
                // Deliveries for one call take turns; SQLite's BEGIN IMMEDIATE already does.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(call_sid)
                    .execute(&mut *conn)
                    .await?;
            }
            let inserted: Option<Uuid> = match &delivery {
                Delivery::Arrived {
                    dedupe_key,
                    event_json,
                } => {
                    sqlx::query_scalar(
                        "INSERT INTO call_events (id, call_sid, dedupe_key, event, received_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                    )
                    .bind(Uuid::now_v7())
                    .bind(call_sid)
                    .bind(*dedupe_key)
                    .bind(event_json)
                    .bind(at)
                    .fetch_optional(&mut *conn)
                    .await?
                }
                // Stored when it was accepted; its call is touched now, for the first time.
                Delivery::Accepted { event_id, .. } => Some(*event_id),
            };
            let stored: Vec<(String, DbTime)> = sqlx::query_as(
                "SELECT event, received_at FROM call_events WHERE call_sid = $1 ORDER BY received_at, id",
            )
            .bind(call_sid)
            .fetch_all(&mut *conn)
            .await?;
            let events: Vec<VoiceEvent> = stored
                .iter()
                .filter_map(|(json, _)| serde_json::from_str(json).ok())
                .collect();
            let facts = CallFacts::fold(&events);
            let first_seen = stored.first().map(|(_, t)| *t).unwrap_or(at);

            let mut owner: Option<Uuid> =
                sqlx::query_scalar("SELECT dj_profile_id FROM dj_calls WHERE call_sid = $1")
                    .bind(call_sid)
                    .fetch_optional(&mut *conn)
                    .await?;
            let call_exists = owner.is_some();
            if owner.is_none()
                && let Some(number) = &facts.virtual_number
            {
                owner = sqlx::query_scalar(
                    "SELECT dj_profile_id FROM dj_virtual_numbers WHERE virtual_number = $1 AND state = 'assigned'",
                )
                .bind(number)
                .fetch_optional(&mut *conn)
                .await?;
            }
            let call = match owner {
                None => None,
                Some(owner) => {
                    // Attribution is decided once, when the call's row is created: the click
                    // on this DJ's widget shortly before the call (rule in `clicks.rs`).
                    let (attribution, page_url) = if call_exists {
                        (None, None)
                    } else {
                        crate::clicks::attribution_for(conn, owner, first_seen)
                            .await?
                            .map_or((None, None), |a| (Some(a.json), a.page_url))
                    };
                    Some(
                        sqlx::query_as::<_, CallRecord>(sql_with(
                            CALL_COLUMNS,
                            "INSERT INTO dj_calls (id, dj_profile_id, call_sid, \"timestamp\", source, \
                             virtual_number, caller_number, caller_name, call_status, call_duration_seconds, \
                             answered, talk_seconds, voicemail_left, recording_sid, recording_duration_seconds, \
                             transcription_status, transcription_text, attribution, page_url, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, 'twilio', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18, $19, $17, $17) \
                             ON CONFLICT (call_sid) DO UPDATE SET \
                               virtual_number = COALESCE(dj_calls.virtual_number, excluded.virtual_number), \
                               caller_number = COALESCE(dj_calls.caller_number, excluded.caller_number), \
                               caller_name = COALESCE(dj_calls.caller_name, excluded.caller_name), \
                               call_status = excluded.call_status, \
                               call_duration_seconds = excluded.call_duration_seconds, \
                               answered = excluded.answered, \
                               talk_seconds = excluded.talk_seconds, \
                               voicemail_left = excluded.voicemail_left, \
                               recording_sid = excluded.recording_sid, \
                               recording_duration_seconds = excluded.recording_duration_seconds, \
                               transcription_status = excluded.transcription_status, \
                               transcription_text = excluded.transcription_text, \
                               updated_at = excluded.updated_at \
                             RETURNING {COLUMNS}",
                        ))
                        .bind(CallId::new_v7().0)
                        .bind(owner)
                        .bind(call_sid)
                        .bind(first_seen)
                        .bind(&facts.virtual_number)
                        .bind(&facts.caller)
                        .bind(&facts.caller_name)
                        .bind(facts.status().as_str())
                        .bind(facts.call_duration_seconds.map(clamp))
                        .bind(facts.answered)
                        .bind(facts.talk_seconds.map(clamp))
                        .bind(facts.voicemail_left)
                        .bind(&facts.recording_sid)
                        .bind(facts.recording_duration_seconds.map(clamp))
                        .bind(facts.transcription_status.as_ref().map(|s| s.as_str()))
                        .bind(&facts.transcription_text)
                        .bind(at)
                        .bind(attribution)
                        .bind(page_url)
                        .fetch_one(&mut *conn)
                        .await?,
                    )
                }
            };
            // Segments of the conversation that came first, then the words' insights, in the
            // same transaction; lead score and event type follow unless a person set them.
            let call = match call {
                Some(record) => {
                    let record = conn.with_transcript(record).await?;
                    Some(conn.with_insights(record).await?)
                }
                None => None,
            };
            let contact = match &call {
                Some(record) => {
                    upsert_contact(
                        conn,
                        record.dj_profile_id,
                        record.caller_number.as_deref(),
                        record.caller_name.as_deref(),
                        at,
                    )
                    .await?
                }
                None => None,
            };
            let mut followup_enqueued = false;
            let touched = contact.filter(|_| inserted.is_some());
            let caused = call
                .as_ref()
                .map(|record| jobs(&facts, record, touched.as_ref()));
            for job in caused.iter().flatten() {
                followup_enqueued |= crate::jobs::enqueue(conn, job, at).await?;
            }
            VoiceUpdate {
                call,
                new_event: inserted.is_some(),
                facts,
                followup_enqueued,
                contact,
            }
        })))
    }

    /// The events of one call, oldest first (the status timeline).
    pub async fn voice_events(&self, call_sid: &str) -> StoreResult<Vec<(VoiceEvent, DbTime)>> {
        let stored: Vec<(String, DbTime)> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as(
                "SELECT event, received_at FROM call_events WHERE call_sid = $1 ORDER BY received_at, id",
            )
            .bind(call_sid)
            .fetch_all(&mut *conn)
            .await?
        });
        Ok(stored
            .into_iter()
            .filter_map(|(json, at)| serde_json::from_str(&json).ok().map(|e| (e, at)))
            .collect())
    }
}

fn clamp(secs: u32) -> i32 {
    i32::try_from(secs).unwrap_or(i32::MAX)
}
