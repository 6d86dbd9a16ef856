//! Calls through the JSON API: logging, reading, listing, correcting, and their analytics.

use crate::{App, AppError, AppResult};
use djcalls_domain::analytics::{Analytics, CallFigures, DayFigures};
use djcalls_domain::call::normalize_event_type;
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, CallId, CallSource, CallStatus, DjProfileId, LeadScore, PhoneNumber};
use djcalls_store::analytics::TopDj;
use djcalls_store::calls::{CallCursor, CallFilter, CallPatch, CallRecord, NewCall};
use djcalls_store::{DbTime, StoreError};
use jiff::Timestamp;

mod export;
pub use crate::export_pages::EXPORT_PAGE_ROWS;
pub use export::CallExport;

/// `POST /api/djdash/calls`, already validated field by field.
#[derive(Clone, Debug)]
pub struct LogCall {
    pub dj_profile_id: DjProfileId,
    pub virtual_number: Option<PhoneNumber>,
    pub caller_number: Option<PhoneNumber>,
    pub caller_name: Option<String>,
    pub timestamp: Option<Timestamp>,
    pub page_url: Option<String>,
    pub event_type: Option<String>,
    pub lead_score: Option<LeadScore>,
    pub is_booked: Option<bool>,
    pub call_duration_seconds: Option<u32>,
    pub call_status: Option<CallStatus>,
    pub call_sid: Option<String>,
    pub notes: Option<String>,
}

/// One page of `GET /api/djdash/calls`.
#[derive(Clone, Debug)]
pub struct CallPage {
    pub calls: Vec<CallRecord>,
    pub next_cursor: Option<String>,
}

/// Platform-wide analytics: SPEC §6 totals plus the admin's extras.
#[derive(Clone, Debug)]
pub struct PlatformAnalytics {
    pub analytics: Analytics,
    pub top_djs: Vec<TopDj>,
    pub call_volume: Vec<DayFigures>,
}

pub const MAX_PAGE: u32 = 1000;
pub const DEFAULT_PAGE: u32 = 100;

/// No call is older than the Unix epoch. Beyond what it says about the data, the bound keeps
/// every stored and queried instant inside what both databases can represent (PostgreSQL's
/// `timestamptz` starts in 4713 BC, jiff's `Timestamp` in 9999 BC) and the SQLite day
/// buckets' offset segments few.
pub const EARLIEST_CALL: Timestamp = Timestamp::UNIX_EPOCH;

/// How far ahead of our clock a logged call's `timestamp` may be (the caller's clock skew).
const FUTURE_TOLERANCE: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

impl App {
    pub async fn log_call(&self, actor: &Actor, input: LogCall) -> AppResult<CallRecord> {
        if !actor.can_access(input.dj_profile_id) {
            return Err(AppError::Forbidden);
        }
        if self
            .store
            .profile(actor, input.dj_profile_id)
            .await?
            .is_none()
        {
            return Err(AppError::invalid(
                "dj_profile_id",
                "is not a known DJ profile",
            ));
        }
        let duration = input
            .call_duration_seconds
            .map(|d| d.min(i32::MAX as u32) as i32);
        // Without a status, a call with a duration was evidently answered; one without is
        // still ringing as far as anyone has told us.
        let status = input.call_status.unwrap_or(match duration {
            Some(d) if d > 0 => CallStatus::Completed,
            _ => CallStatus::Ringing,
        });
        let answered = status.is_answered();
        let now = self.now();
        if let Some(ts) = input.timestamp {
            if ts < EARLIEST_CALL {
                return Err(AppError::invalid("timestamp", "must not be before 1970"));
            }
            if now
                .0
                .checked_add(FUTURE_TOLERANCE)
                .is_ok_and(|latest| ts > latest)
            {
                return Err(AppError::invalid("timestamp", "must not be in the future"));
            }
        }
        let call = NewCall {
            id: CallId::new_v7(),
            dj_profile_id: input.dj_profile_id,
            virtual_number: input.virtual_number.map(|n| n.as_str().to_string()),
            caller_number: input.caller_number.map(|n| n.as_str().to_string()),
            caller_name: input.caller_name,
            timestamp: input.timestamp.map(DbTime).unwrap_or(now),
            page_url: input.page_url,
            event_type: input.event_type.as_deref().map(normalize_event_type),
            lead_score: input.lead_score.unwrap_or_default(),
            is_booked: input.is_booked.unwrap_or(false),
            call_duration_seconds: duration,
            call_status: status,
            call_sid: input.call_sid,
            notes: input.notes,
            source: CallSource::Api,
            answered,
            talk_seconds: if answered { duration } else { None },
            voicemail_left: status == CallStatus::Voicemail,
            recording_sid: None,
            transcription_status: None,
            transcription_text: None,
            tipjar_link_sent: false,
        };
        let events =
            |call: &CallRecord, contact: Option<&_>| self.written_call_jobs(call, contact, now);
        match self
            .store
            .insert_call_with_jobs(actor, &call, now, &events)
            .await
        {
            Ok((record, contact, enqueued)) => {
                if enqueued {
                    self.jobs_due_now();
                }
                self.announce(&record);
                self.count_contact_of_call(contact);
                Ok(record)
            }
            Err(StoreError::Conflict(_)) => Err(AppError::Conflict {
                code: "duplicate_call_sid",
                message: "a call with this call_sid is already logged".into(),
            }),
            Err(StoreError::MissingReference) => Err(AppError::invalid(
                "dj_profile_id",
                "is not a known DJ profile",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// A call the actor may see; another DJ's call is "not found", as RLS would have it.
    pub async fn get_call(&self, actor: &Actor, id: CallId) -> AppResult<CallRecord> {
        match self.store.call(actor, id).await? {
            Some(call) if actor.can_access(call.dj_profile_id) => Ok(call),
            _ => Err(AppError::NotFound("call")),
        }
    }

    pub async fn patch_call(
        &self,
        actor: &Actor,
        id: CallId,
        patch: CallPatch,
    ) -> AppResult<CallRecord> {
        self.get_call(actor, id).await?;
        let patch = CallPatch {
            event_type: patch
                .event_type
                .map(|e| e.as_deref().map(normalize_event_type)),
            ..patch
        };
        let record = self
            .store
            .patch_call(actor, id, &patch, self.now())
            .await?
            .ok_or(AppError::NotFound("call"))?;
        self.announce(&record);
        Ok(record)
    }

    /// Newest first, `limit` per page, continuing after `cursor`; with `status`, only calls in
    /// that status.
    pub async fn list_calls(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
        status: Option<CallStatus>,
        cursor: Option<&str>,
        limit: u32,
    ) -> AppResult<CallPage> {
        let profile = self.scope(actor, profile)?;
        let cursor = cursor.map(decode_cursor).transpose()?;
        let range = &storable(range);
        let filter = CallFilter {
            profile,
            start: range.start.map(DbTime),
            end: range.end.map(DbTime),
            status,
        };
        let mut calls = self
            .store
            .list_calls(actor, &filter, cursor, limit + 1)
            .await?;
        let next_cursor = if calls.len() > limit as usize {
            calls.truncate(limit as usize);
            calls.last().map(encode_cursor)
        } else {
            None
        };
        Ok(CallPage { calls, next_cursor })
    }

    pub async fn analytics(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> AppResult<Analytics> {
        let profile = self.scope(actor, profile)?;
        let range = &storable(range);
        let figures: CallFigures = self.store.call_figures(actor, profile, range).await?;
        Ok(Analytics::from(figures))
    }

    pub async fn platform_analytics(
        &self,
        actor: &Actor,
        range: &DateRange,
    ) -> AppResult<PlatformAnalytics> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        let range = &storable(range);
        let analytics = Analytics::from(self.store.call_figures(actor, None, range).await?);
        let top_djs = self.store.top_djs(actor, range, 10).await?;
        let call_volume = analytics.calls_by_day.clone();
        Ok(PlatformAnalytics {
            analytics,
            top_djs,
            call_volume,
        })
    }

    /// Tells open dashboards that `call` changed.
    pub(crate) fn announce(&self, call: &CallRecord) {
        self.live.publish(crate::live::CallChanged {
            call_id: call.id,
            dj_profile_id: call.dj_profile_id,
        });
    }

    /// Which profile a per-DJ query covers: a DJ must name one of theirs (or has only one);
    /// admins and the service may leave it out for the whole platform.
    pub(crate) fn scope(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
    ) -> AppResult<Option<DjProfileId>> {
        match (actor, profile) {
            (_, Some(p)) if actor.can_access(p) => Ok(Some(p)),
            (_, Some(_)) => Err(AppError::Forbidden),
            (Actor::Dj { profiles, .. }, None) if profiles.len() == 1 => Ok(Some(profiles[0])),
            (Actor::Dj { .. }, None) => Err(AppError::invalid("dj_profile_id", "is required")),
            (_, None) => Ok(None),
        }
    }
}

/// `range` with bounds before `EARLIEST_CALL` moved up to it: the same calls (there are none
/// earlier), and only instants every database can take as a parameter.
pub(crate) fn storable(range: &DateRange) -> DateRange {
    let mut range = range.clone();
    range.start = range.start.map(|t| t.max(EARLIEST_CALL));
    range.end = range.end.map(|t| t.max(EARLIEST_CALL));
    range
}

fn encode_cursor(call: &CallRecord) -> String {
    crate::cursor::encode(call.timestamp, call.id.0)
}

fn decode_cursor(raw: &str) -> AppResult<CallCursor> {
    let (timestamp, id) = crate::cursor::decode(raw)?;
    Ok(CallCursor { timestamp, id })
}
