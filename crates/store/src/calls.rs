//! Call records (`dj_calls`): logging, reading, listing with a keyset cursor, and the fields a
//! person may change afterwards. `call_status`, `lead_score` and `source` are domain enums,
//! decoded with `TryFrom<String>` and bound as their `as_str()` (the stored strings).

use crate::contacts::{ContactUpsert, upsert_contact};
use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
use djcalls_domain::{Actor, CallId, CallSource, CallStatus, DjProfileId, LeadScore};
use uuid::Uuid;

mod bulk;
mod jobs;
mod list;
mod quality;
mod reconciled;

pub use quality::QualityColumns;

use jobs::enqueue_call_jobs;
pub use jobs::{CallJobs, no_call_jobs};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CallRecord {
    #[sqlx(try_from = "Uuid")]
    pub id: CallId,
    #[sqlx(try_from = "Uuid")]
    pub dj_profile_id: DjProfileId,
    pub virtual_number: Option<String>,
    pub caller_number: Option<String>,
    pub caller_name: Option<String>,
    pub timestamp: DbTime,
    pub page_url: Option<String>,
    pub event_type: Option<String>,
    #[sqlx(try_from = "String")]
    pub lead_score: LeadScore,
    pub is_booked: bool,
    pub call_duration_seconds: Option<i32>,
    #[sqlx(try_from = "String")]
    pub call_status: CallStatus,
    /// The Twilio call this row is: set only by Twilio's webhooks (and the demo and
    /// reconciliation), whose number called decides the owner.
    pub call_sid: Option<String>,
    /// The `call_sid` someone logged through the API: shown as the call's SID but never
    /// matched by a webhook, so a logged SID cannot capture another DJ's Twilio call.
    pub logged_call_sid: Option<String>,
    pub tipjar_link_sent: bool,
    pub tipjar_link: Option<String>,
    pub tipjar_payment_received: bool,
    pub tipjar_payment_amount_cents: i64,
    pub product_context: String,
    pub notes: Option<String>,
    #[sqlx(try_from = "String")]
    pub source: CallSource,
    pub answered: bool,
    pub talk_seconds: Option<i32>,
    pub voicemail_left: bool,
    pub recording_sid: Option<String>,
    pub recording_duration_seconds: Option<i32>,
    pub transcription_status: Option<String>,
    pub transcription_text: Option<String>,
    /// JSON text of the click that led to this call, when one did.
    pub attribution: Option<String>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
    /// JSON text of the transcript's `djcalls_insights::Insights`, once there is one.
    pub insights: Option<String>,
    /// A person set `lead_score` / `event_type` (PATCH or the call page): insights no longer
    /// change it.
    pub lead_score_set_by_person: bool,
    pub event_type_set_by_person: bool,
    /// What Twilio Voice Insights said about the call (SPEC §12), once read.
    #[sqlx(flatten)]
    pub quality: QualityColumns,
    /// JSON list of the conversation's `djcalls_domain::transcript::TranscriptLine`s (answered
    /// calls with Real-Time Transcription); `None` until a segment arrives.
    pub transcript: Option<String>,
    /// Real-Time Transcription of the call: `started`, `stopped` (or errored), or `None` when
    /// Twilio never said it started (migration 0033).
    pub live_transcription: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, dj_profile_id, virtual_number, caller_number, caller_name, \"timestamp\", \
    page_url, event_type, lead_score, is_booked, call_duration_seconds, call_status, call_sid, \
    logged_call_sid, tipjar_link_sent, tipjar_link, tipjar_payment_received, tipjar_payment_amount_cents, \
    product_context, notes, source, answered, talk_seconds, voicemail_left, recording_sid, \
    recording_duration_seconds, transcription_status, transcription_text, attribution, \
    created_at, updated_at, insights, lead_score_set_by_person, event_type_set_by_person, \
    quality_disconnected_by, quality_post_dial_delay_ms, quality_mos, quality_jitter_ms, \
    quality_packet_loss_percent, transcript, live_transcription";

/// A call logged through the API (or by the demo): everything it may set at once.
#[derive(Clone, Debug)]
pub struct NewCall {
    pub id: CallId,
    pub dj_profile_id: DjProfileId,
    pub virtual_number: Option<String>,
    pub caller_number: Option<String>,
    pub caller_name: Option<String>,
    pub timestamp: DbTime,
    pub page_url: Option<String>,
    pub event_type: Option<String>,
    pub lead_score: LeadScore,
    pub is_booked: bool,
    pub call_duration_seconds: Option<i32>,
    pub call_status: CallStatus,
    pub call_sid: Option<String>,
    pub notes: Option<String>,
    pub source: CallSource,
    pub answered: bool,
    pub talk_seconds: Option<i32>,
    pub voicemail_left: bool,
    pub recording_sid: Option<String>,
    pub transcription_status: Option<String>,
    pub transcription_text: Option<String>,
    pub tipjar_link_sent: bool,
}

/// Which calls to list. `profile: None` is platform-wide (admin, service); `status`, only
/// calls in that status (the consoles' filter; an index `(call_status, timestamp, id)` serves
/// it platform-wide).
#[derive(Clone, Debug, Default)]
pub struct CallFilter {
    pub profile: Option<DjProfileId>,
    pub start: Option<DbTime>,
    pub end: Option<DbTime>,
    pub status: Option<CallStatus>,
}

/// The position after the last row of a page: newest first, ties broken by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallCursor {
    pub timestamp: DbTime,
    pub id: Uuid,
}

/// The fields a person may change on a logged call. `None` leaves a field alone; for the
/// nullable text fields `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct CallPatch {
    pub is_booked: Option<bool>,
    pub lead_score: Option<LeadScore>,
    pub event_type: Option<Option<String>>,
    pub notes: Option<Option<String>>,
}

impl Store {
    /// Inserts `call`. A call logged through the API (`source` api) keeps its SID as
    /// `logged_call_sid`, which no webhook ever matches; it is a [`StoreError::Conflict`] only
    /// when the same DJ already has a call with that SID (logged or from Twilio), so the answer
    /// says nothing about other DJs' calls.
    pub async fn insert_call(
        &self,
        actor: &Actor,
        call: &NewCall,
        now: DbTime,
    ) -> StoreResult<CallRecord> {
        Ok(self.insert_call_and_contact(actor, call, now).await?.0)
    }

    /// [`Store::insert_call`], and in the same transaction the caller's contact (none for a
    /// call without a caller number).
    pub async fn insert_call_and_contact(
        &self,
        actor: &Actor,
        call: &NewCall,
        now: DbTime,
    ) -> StoreResult<(CallRecord, Option<ContactUpsert>)> {
        let (record, contact, _) = self
            .insert_call_with_jobs(actor, call, now, &no_call_jobs)
            .await?;
        Ok((record, contact))
    }

    /// [`Store::insert_call_and_contact`], enqueueing in the same transaction the jobs `jobs`
    /// gives for the inserted call and its contact (its outbound webhook events); the `bool`
    /// says whether any was new.
    pub async fn insert_call_with_jobs(
        &self,
        actor: &Actor,
        call: &NewCall,
        now: DbTime,
        jobs: CallJobs<'_>,
    ) -> StoreResult<(CallRecord, Option<ContactUpsert>, bool)> {
        let (call_sid, logged_call_sid) = match call.source {
            CallSource::Api => (None, call.call_sid.as_deref()),
            _ => (call.call_sid.as_deref(), None),
        };
        Ok(in_tx!(self, actor, write, |conn| {
            if let Some(sid) = logged_call_sid {
                let own: Option<i64> = sqlx::query_scalar(
                    "SELECT CAST(1 AS BIGINT) FROM dj_calls WHERE dj_profile_id = $1 \
                     AND (call_sid = $2 OR logged_call_sid = $2) LIMIT 1",
                )
                .bind(call.dj_profile_id.0)
                .bind(sid)
                .fetch_optional(&mut *conn)
                .await?;
                if own.is_some() {
                    return Err(StoreError::Conflict("dj_calls_logged_call_sid".into()));
                }
            }
            let record = sqlx::query_as::<_, CallRecord>(sql_with(
                COLUMNS,
                "INSERT INTO dj_calls (id, dj_profile_id, virtual_number, caller_number, caller_name, \
                 \"timestamp\", page_url, event_type, lead_score, is_booked, call_duration_seconds, \
                 call_status, call_sid, notes, source, answered, talk_seconds, voicemail_left, \
                 recording_sid, transcription_status, transcription_text, tipjar_link_sent, \
                 created_at, updated_at, logged_call_sid) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 $18, $19, $20, $21, $22, $23, $23, $24) RETURNING {COLUMNS}",
            ))
            .bind(call.id.0)
            .bind(call.dj_profile_id.0)
            .bind(&call.virtual_number)
            .bind(&call.caller_number)
            .bind(&call.caller_name)
            .bind(call.timestamp)
            .bind(&call.page_url)
            .bind(&call.event_type)
            .bind(call.lead_score.as_str())
            .bind(call.is_booked)
            .bind(call.call_duration_seconds)
            .bind(call.call_status.as_str())
            .bind(call_sid)
            .bind(&call.notes)
            .bind(call.source.as_str())
            .bind(call.answered)
            .bind(call.talk_seconds)
            .bind(call.voicemail_left)
            .bind(&call.recording_sid)
            .bind(&call.transcription_status)
            .bind(&call.transcription_text)
            .bind(call.tipjar_link_sent)
            .bind(now)
            .bind(logged_call_sid)
            .fetch_one(&mut *conn)
            .await?;
            let contact = upsert_contact(
                conn,
                record.dj_profile_id,
                record.caller_number.as_deref(),
                record.caller_name.as_deref(),
                now,
            )
            .await?;
            let enqueued = enqueue_call_jobs(conn, jobs, &record, contact.as_ref(), now).await?;
            (record, contact, enqueued)
        }))
    }

    pub async fn call(&self, actor: &Actor, id: CallId) -> StoreResult<Option<CallRecord>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, CallRecord>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_calls WHERE id = $1",
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Applies a patch; `None` when there is no such call.
    pub async fn patch_call(
        &self,
        actor: &Actor,
        id: CallId,
        patch: &CallPatch,
        now: DbTime,
    ) -> StoreResult<Option<CallRecord>> {
        Ok(in_tx!(self, actor, write, |conn| {
            sqlx::query_as::<_, CallRecord>(sql_with(
                COLUMNS,
                "UPDATE dj_calls SET \
                 is_booked = COALESCE($2, is_booked), \
                 lead_score = COALESCE($3, lead_score), \
                 lead_score_set_by_person = (lead_score_set_by_person OR $3 IS NOT NULL), \
                 event_type = CASE WHEN $4 THEN $5 ELSE event_type END, \
                 event_type_set_by_person = (event_type_set_by_person OR $4), \
                 notes = CASE WHEN $6 THEN $7 ELSE notes END, \
                 updated_at = $8 \
                 WHERE id = $1 RETURNING {COLUMNS}",
            ))
            .bind(id.0)
            .bind(patch.is_booked)
            .bind(patch.lead_score.map(LeadScore::as_str))
            .bind(patch.event_type.is_some())
            .bind(patch.event_type.clone().flatten())
            .bind(patch.notes.is_some())
            .bind(patch.notes.clone().flatten())
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }
}
