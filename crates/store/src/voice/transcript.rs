//! Transcripts of answered calls (SPEC §12, migration 0025): Real-Time Transcription's final
//! segments are kept once per (CallSid, SequenceId) in `call_transcript_segments` — also for a
//! call whose row does not exist yet — and the call's `transcript` is reassembled from all of
//! them (`djcalls_domain::transcript::assemble`: sequence order, 64 KiB cap) whenever one is
//! added or the call's row is written by the voice fold. So duplicates and any order converge,
//! and early segments are applied when the call appears. The insights follow in the same
//! transaction (`with_insights`, shared with the voicemail path).

use super::insights;
use crate::calls::CallRecord;
use crate::jobs::NewJob;
use crate::{Backend, DbTime, Store, StoreResult, sql_with};
use djcalls_domain::Actor;
use djcalls_domain::transcript::{self, Speaker, TRANSCRIPT_CAP_BYTES, TranscriptSegment};
use sqlx::{PgConnection, SqliteConnection};

const CALL_COLUMNS: &str = crate::calls::COLUMNS;

/// What a transcript segment delivery did.
#[derive(Clone, Debug)]
pub struct TranscriptUpdate {
    /// The call with its transcript; `None` while the call is unknown (the segment is kept).
    pub call: Option<CallRecord>,
    /// False when the segment had been stored before (or the call's transcript is full).
    pub new_segment: bool,
    /// True when a job the changed insights caused was enqueued (`insights.ready`).
    pub jobs_enqueued: bool,
}

/// The transcript and insights steps, on the `conn` inside an `in_tx!` body of either backend.
pub(crate) trait TranscriptConn: Send {
    /// Stores `segment` unless its (call, sequence id) is known or the call's stored segments
    /// already hold the cap; true when stored.
    fn add_segment(
        &mut self,
        call_sid: &str,
        segment: &TranscriptSegment,
        at: DbTime,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;

    /// `call` with its transcript rebuilt from every stored segment (written only if changed).
    fn with_transcript(
        &mut self,
        call: CallRecord,
    ) -> impl Future<Output = sqlx::Result<CallRecord>> + Send;

    /// `call` with the insights of its words (conversation, else voicemail) stored; the lead
    /// score and event type follow unless a person set them.
    fn with_insights(
        &mut self,
        call: CallRecord,
    ) -> impl Future<Output = sqlx::Result<CallRecord>> + Send;
}

macro_rules! impl_transcript_conn {
    ($conn:ty) => {
        impl TranscriptConn for $conn {
            async fn add_segment(
                &mut self,
                call_sid: &str,
                segment: &TranscriptSegment,
                at: DbTime,
            ) -> sqlx::Result<bool> {
                let stored: i64 = sqlx::query_scalar(
                    "SELECT CAST(coalesce(sum(length(text)), 0) AS BIGINT) \
                     FROM call_transcript_segments WHERE call_sid = $1",
                )
                .bind(call_sid)
                .fetch_one(&mut *self)
                .await?;
                if usize::try_from(stored).unwrap_or(usize::MAX) >= TRANSCRIPT_CAP_BYTES {
                    return Ok(false);
                }
                let text: String = segment.text.chars().take(TRANSCRIPT_CAP_BYTES).collect();
                let inserted = sqlx::query(
                    "INSERT INTO call_transcript_segments \
                     (call_sid, sequence_id, speaker, text, received_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (call_sid, sequence_id) DO NOTHING",
                )
                .bind(call_sid)
                .bind(i64::from(segment.sequence_id))
                .bind(segment.speaker.as_str())
                .bind(text)
                .bind(at)
                .execute(&mut *self)
                .await?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn with_transcript(&mut self, call: CallRecord) -> sqlx::Result<CallRecord> {
                let Some(call_sid) = call.call_sid.as_deref() else {
                    return Ok(call);
                };
                let rows: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT sequence_id, speaker, text FROM call_transcript_segments \
                     WHERE call_sid = $1 ORDER BY sequence_id",
                )
                .bind(call_sid)
                .fetch_all(&mut *self)
                .await?;
                let segments: Vec<TranscriptSegment> = rows
                    .into_iter()
                    .filter_map(|(sequence_id, speaker, text)| {
                        Some(TranscriptSegment {
                            sequence_id: u32::try_from(sequence_id).ok()?,
                            speaker: Speaker::from_stored(&speaker)?,
                            text,
                        })
                    })
                    .collect();
                let lines = transcript::assemble(&segments);
                if lines.is_empty() {
                    return Ok(call);
                }
                let json = serde_json::to_string(&lines).ok();
                if json == call.transcript {
                    return Ok(call);
                }
                sqlx::query_as::<_, CallRecord>(sql_with(
                    CALL_COLUMNS,
                    "UPDATE dj_calls SET transcript = $2 WHERE id = $1 RETURNING {COLUMNS}",
                ))
                .bind(call.id.0)
                .bind(json)
                .fetch_one(&mut *self)
                .await
            }

            async fn with_insights(&mut self, call: CallRecord) -> sqlx::Result<CallRecord> {
                if !insights::has_words(&call) {
                    return Ok(call);
                }
                let zone: String =
                    sqlx::query_scalar("SELECT timezone FROM dj_profiles WHERE id = $1")
                        .bind(call.dj_profile_id.0)
                        .fetch_one(&mut *self)
                        .await?;
                let Some(found) = insights::analysed(&call, &zone) else {
                    return Ok(call);
                };
                sqlx::query_as::<_, CallRecord>(sql_with(CALL_COLUMNS, insights::UPDATE_SQL))
                    .bind(call.id.0)
                    .bind(&found.json)
                    .bind(found.lead_score.as_str())
                    .bind(found.event_type)
                    .fetch_one(&mut *self)
                    .await
            }
        }
    };
}

impl_transcript_conn!(PgConnection);
impl_transcript_conn!(SqliteConnection);

impl Store {
    /// Records one final transcript segment of `call_sid` (already redacted) once per sequence
    /// id, and brings the call's transcript and insights in line with all of its segments. A
    /// segment of an unknown call is kept for when the call appears.
    pub async fn record_transcript_segment(
        &self,
        call_sid: &str,
        segment: &TranscriptSegment,
        at: DbTime,
    ) -> StoreResult<TranscriptUpdate> {
        self.record_transcript_segment_with(call_sid, segment, at, |_| Vec::new())
            .await
    }

    /// [`Store::record_transcript_segment`], enqueueing `jobs(call)` in the same transaction
    /// when the segment changed the call's stored insights (never for a segment that left
    /// them as they were): the outbound `insights.ready`.
    pub async fn record_transcript_segment_with<F>(
        &self,
        call_sid: &str,
        segment: &TranscriptSegment,
        at: DbTime,
        jobs: F,
    ) -> StoreResult<TranscriptUpdate>
    where
        F: Fn(&CallRecord) -> Vec<NewJob> + Send + Sync,
    {
        let is_postgres = self.backend() == Backend::Postgres;
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            if is_postgres {
                // Takes turns with the call's other deliveries, as the voice fold does.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(call_sid)
                    .execute(&mut *conn)
                    .await?;
            }
            let new_segment = conn.add_segment(call_sid, segment, at).await?;
            let call: Option<CallRecord> = sqlx::query_as(sql_with(
                CALL_COLUMNS,
                "SELECT {COLUMNS} FROM dj_calls WHERE call_sid = $1",
            ))
            .bind(call_sid)
            .fetch_optional(&mut *conn)
            .await?;
            let mut jobs_enqueued = false;
            let call = match call {
                Some(record) if new_segment => {
                    let before = record.insights.clone();
                    let record = conn.with_transcript(record).await?;
                    let record = conn.with_insights(record).await?;
                    if record.insights != before {
                        for job in jobs(&record) {
                            jobs_enqueued |= crate::jobs::enqueue(conn, &job, at).await?;
                        }
                    }
                    Some(record)
                }
                other => other,
            };
            TranscriptUpdate {
                call,
                new_segment,
                jobs_enqueued,
            }
        }))
    }
}

impl Store {
    /// Records that Real-Time Transcription of `call_sid` started or stopped (forward only:
    /// `stopped` is final). Returns whether the call's row changed; a call not known yet is
    /// left alone (its follow-up then does not wait for a transcript).
    pub async fn record_live_transcription(
        &self,
        call_sid: &str,
        state: djcalls_domain::transcript::LiveTranscription,
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE dj_calls SET live_transcription = $2 WHERE call_sid = $1 \
                 AND (live_transcription IS NULL OR (live_transcription = 'started' AND $2 = 'stopped'))",
            )
            .bind(call_sid)
            .bind(state.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0
        }))
    }
}
