//! Recording the calls Twilio connected while the service was down. For each DJ's tenure of a
//! number since `since`, the caller legs of calls to the number (`Calls.json?To=…&StartTime>=…`,
//! every page) that the service never saw — no call row, no webhook event — are recorded once,
//! with their true status, duration, caller and start time and source `fallback`. How a call
//! went comes from the legs Twilio dialled for it (`ParentCallSid`), asked only for unknown
//! calls whose caller leg completed. Calls still going are left for a later run.

use crate::{App, AppError, AppResult};
use djcalls_domain::phone::mask;
use djcalls_domain::voice::LegStatus;
use djcalls_domain::voice::reconciled::{LoggedLeg, reconciled_facts};
use djcalls_domain::{Actor, CallId, CallSource, LeadScore, PhoneNumber};
use djcalls_store::DbTime;
use djcalls_store::calls::{CallRecord, NewCall};
use djcalls_store::numbers::NumberTenure;
use djcalls_telephony::{CallLogEntry, CallLogQuery, TwilioError};
use jiff::Timestamp;
use std::time::{Duration, Instant};

/// What a reconciliation found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Numbers whose call log was read.
    pub numbers: usize,
    /// Calls to them, within their DJs' tenures, in Twilio's log.
    pub listed: usize,
    /// Calls recorded now, with source `fallback`.
    pub recorded: usize,
    /// Calls the service had already (left as they are).
    pub known: usize,
    /// Calls not over yet: a later run records them.
    pub unfinished: usize,
    /// Numbers left for the next run because the run's time budget was spent.
    pub deferred_numbers: usize,
}

/// A run's limits (the periodic job's; `djcalls reconcile` has none).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunLimits {
    /// Stop starting new numbers after this long.
    pub budget: Duration,
    /// Start with the number at this position (mod the count), so that when the budget is
    /// spent, other numbers come first next time.
    pub first: usize,
}

enum Found {
    Recorded,
    Known,
    Unfinished,
}

impl App {
    /// `djcalls reconcile --since`: every call to a pool number since `since` that the service
    /// never saw is recorded once. Running it again records nothing new.
    pub async fn reconcile_calls(&self, since: Timestamp) -> AppResult<ReconcileReport> {
        self.reconcile_calls_within(since, None).await
    }

    pub(crate) async fn reconcile_calls_within(
        &self,
        since: Timestamp,
        limits: Option<RunLimits>,
    ) -> AppResult<ReconcileReport> {
        let started = Instant::now();
        let mut tenures = self.store.number_tenures_since(DbTime(since)).await?;
        if let Some(limits) = limits
            && !tenures.is_empty()
        {
            let first = limits.first % tenures.len();
            tenures.rotate_left(first);
        }
        let mut report = ReconcileReport::default();
        for (done, tenure) in tenures.iter().enumerate() {
            if limits.is_some_and(|l| started.elapsed() >= l.budget) {
                report.deferred_numbers = tenures.len() - done;
                break;
            }
            self.reconcile_tenure(tenure, since, &mut report).await?;
            report.numbers += 1;
        }
        Ok(report)
    }

    async fn reconcile_tenure(
        &self,
        tenure: &NumberTenure,
        since: Timestamp,
        report: &mut ReconcileReport,
    ) -> AppResult<()> {
        let from = since.max(tenure.assigned_at.0);
        let query = CallLogQuery {
            to: Some(PhoneNumber::from_trusted_e164(
                tenure.virtual_number.clone(),
            )),
            parent_call_sid: None,
            started_at_or_after: Some(from),
        };
        let log = self
            .telephony
            .list_calls(&query)
            .await
            .map_err(|e| call_log_unreadable(&tenure.virtual_number, e))?;
        // The caller legs of calls to the number while this DJ had it. A call not started yet
        // has no start time; it is not over either.
        let mut calls = Vec::new();
        for call in log.into_iter().filter(|c| c.parent_call_sid.is_none()) {
            match call.start_time {
                None => report.unfinished += 1,
                Some(start) if start >= from && tenure.covers(DbTime(start)) => calls.push(call),
                Some(_) => {}
            }
        }
        report.listed += calls.len();
        let sids: Vec<String> = calls.iter().map(|c| c.sid.as_str().to_string()).collect();
        let known = self.store.known_call_sids(&sids).await?;
        for call in calls {
            let found = if known.contains(call.sid.as_str()) {
                Found::Known
            } else {
                self.record_unseen_call(tenure, &call).await?
            };
            match found {
                Found::Recorded => report.recorded += 1,
                Found::Known => report.known += 1,
                Found::Unfinished => report.unfinished += 1,
            }
        }
        Ok(())
    }

    async fn record_unseen_call(
        &self,
        tenure: &NumberTenure,
        call: &CallLogEntry,
    ) -> AppResult<Found> {
        let caller_leg = LoggedLeg {
            status: LegStatus::from(&call.status),
            duration_secs: call.duration_secs,
        };
        // Only a caller leg that completed ran the fallback's `<Dial>`.
        let dialled = if caller_leg.status == LegStatus::Completed {
            let query = CallLogQuery {
                parent_call_sid: Some(call.sid.clone()),
                ..CallLogQuery::default()
            };
            self.telephony
                .list_calls(&query)
                .await
                .map_err(|e| call_log_unreadable(&tenure.virtual_number, e))?
                .iter()
                .map(|leg| LoggedLeg {
                    status: LegStatus::from(&leg.status),
                    duration_secs: leg.duration_secs,
                })
                .collect()
        } else {
            Vec::new()
        };
        let caller = call.from.as_deref().unwrap_or_default();
        let (Some(facts), Some(start)) = (
            reconciled_facts(caller, &tenure.virtual_number, &caller_leg, &dialled),
            call.start_time,
        ) else {
            return Ok(Found::Unfinished);
        };
        let new_call = NewCall {
            id: CallId::new_v7(),
            dj_profile_id: tenure.dj_profile_id,
            virtual_number: Some(tenure.virtual_number.clone()),
            caller_number: facts.caller.clone(),
            caller_name: None,
            timestamp: DbTime(start),
            page_url: None,
            event_type: None,
            lead_score: LeadScore::default(),
            is_booked: false,
            call_duration_seconds: facts.call_duration_seconds.map(clamp),
            call_status: facts.status(),
            call_sid: Some(call.sid.as_str().to_string()),
            notes: None,
            source: CallSource::Fallback,
            answered: facts.answered,
            talk_seconds: facts.talk_seconds.map(clamp),
            voicemail_left: false,
            recording_sid: None,
            transcription_status: None,
            transcription_text: None,
            tipjar_link_sent: false,
        };
        let now = self.now();
        let events =
            |call: &CallRecord, contact: Option<&_>| self.written_call_jobs(call, contact, now);
        let Some((contact, enqueued)) = self
            .store
            .record_reconciled_call_with_jobs(&Actor::System, &new_call, now, &events)
            .await?
        else {
            // Recorded meanwhile, by another run or a late webhook.
            return Ok(Found::Known);
        };
        if enqueued {
            self.jobs_due_now();
        }
        self.count_contact_of_call(contact);
        tracing::info!(
            call_sid = %call.sid,
            dj_profile_id = %tenure.dj_profile_id,
            number = %mask(&tenure.virtual_number),
            caller = %mask(caller),
            status = new_call.call_status.as_str(),
            "recorded a call the service never saw (connected by the fallback)"
        );
        self.live.publish(crate::live::CallChanged {
            call_id: new_call.id,
            dj_profile_id: tenure.dj_profile_id,
        });
        Ok(Found::Recorded)
    }
}

/// Twilio refused or did not answer: the run fails (the job retries with backoff) with a
/// short reason — Twilio's own text, which may quote a number, goes to the log only. Calls
/// already recorded stay recorded; the rest wait for the next run.
fn call_log_unreadable(number: &str, e: TwilioError) -> AppError {
    tracing::warn!(number = %mask(number), error = %e, "could not read Twilio's call log");
    AppError::Unavailable(match e {
        TwilioError::Unauthorized { .. } => {
            "Twilio refused the account credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"
        }
        TwilioError::Timeout | TwilioError::Network(_) => "Twilio could not be reached",
        TwilioError::RateLimited { .. } | TwilioError::Server { .. } => {
            "Twilio's call log is unavailable right now"
        }
        _ => "Twilio's call log could not be read (the cause is in the log)",
    })
}

fn clamp(secs: u32) -> i32 {
    i32::try_from(secs).unwrap_or(i32::MAX)
}
