//! The TipJar follow-up SMS (SPEC §8): which ended calls get one, and the durable job that
//! sends it.
//!
//! **At most one text per call, ever.** The job is enqueued once per call (dedupe key
//! `followup:<call_id>`, in the transaction of the call update that made the call qualify), and
//! before Twilio is asked the job claims "follow-up sent" for the call in the `followups` table
//! (primary key: the call), in one transaction with the last checks (caller not opted out, no
//! follow-up from this DJ to this caller in 24 h). A claim that exists is never sent again,
//! whatever retries, duplicate webhooks or restarts follow. Twilio refusing the request
//! (an HTTP error answer) releases the claim (`failed`), so a retry may send.
//!
//! The remaining window: the process dies (or the database write fails) after Twilio accepted
//! the message but before we recorded its MessageSid. The claim stays `claimed`, the job is
//! claimed again after its lease, sees the claim and does **not** resend: the caller got the
//! text, we just did not record it (the message status callback still reaches
//! `/api/djdash/sms/status` and records the message by its sid). A crash between the claim and
//! the request to Twilio loses that one follow-up instead — we prefer a missing text to a
//! duplicate. A request that times out may or may not have been sent: it is settled as
//! `unknown` and never resent. A network error reaching Twilio (connection refused, DNS, TLS)
//! is retried; a connection that breaks after the request was fully written is the one case
//! where that could repeat a text, and Twilio offers no idempotency key to close it.

use crate::App;
use crate::followup_texts::Composed;
use crate::jobs::{JobKind, JobOutcome};
use base64::Engine as _;
use djcalls_domain::followup::{self as rules, FollowupKind};
use djcalls_domain::followup_state::FollowupState;
use djcalls_domain::voice::CallFacts;
use djcalls_domain::{Actor, CallId, CallSource, PhoneNumber};
use djcalls_store::calls::CallRecord;
use djcalls_store::jobs::{Job, NewJob};
use djcalls_store::messages::{FollowupClaim, FollowupRequest, SentFollowup};
use djcalls_store::{DbTime, StoreError};
use djcalls_telephony::{TwilioError, paths};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One follow-up per caller per DJ within this window.
pub const PER_CALLER_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// The follow-up SMS of one call: a typed job (payload `{"call_id": …}`), enqueued in the
/// transaction of the call update that made the call qualify.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FollowupSms {
    pub call_id: Uuid,
}

impl JobKind for FollowupSms {
    const KIND: &'static str = "followup_sms";
    /// With the 30 s doubling backoff, the last attempt runs about two hours after the first.
    const MAX_ATTEMPTS: i32 = 8;

    fn dedupe_key(&self) -> String {
        followup_dedupe_key(CallId(self.call_id))
    }

    /// Decide, wait out quiet hours, claim, send, record.
    async fn run(self, app: &App, job: &Job) -> JobOutcome {
        match app.try_followup(CallId(self.call_id), job.created_at).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(job_id = %job.id, error = %e, "follow-up job hit a database error");
                JobOutcome::Retry("database error".to_string())
            }
        }
    }
}

/// The dedupe key of a call's follow-up job: one per call, whatever its kind.
pub fn followup_dedupe_key(call_id: CallId) -> String {
    format!("followup:{call_id}")
}

impl App {
    /// The follow-up job an updated call needs, if any; runs inside the transaction of the
    /// call update, so the job is enqueued with it. Only calls that came through Twilio
    /// qualify (a call logged through the API never texts anyone).
    pub(crate) fn followup_job_for(
        &self,
        facts: &CallFacts,
        call: &CallRecord,
        now: DbTime,
    ) -> Option<NewJob> {
        if call.source != CallSource::Twilio || !facts.ended() || call.caller_number.is_none() {
            return None;
        }
        let kind = rules::followup_for(
            facts.answered,
            facts.talk_seconds,
            self.settings.followup_min_talk_secs,
            self.settings.missed_call_text,
        )?;
        // "Missed" only once the dial outcome is known: a status callback that overtakes the
        // dial action must not make an answered call look missed.
        if kind == FollowupKind::Missed && facts.dial_status.is_none() {
            return None;
        }
        FollowupSms { call_id: call.id.0 }
            .to_new_job(Some(call.dj_profile_id), now)
            .ok()
    }

    async fn try_followup(
        &self,
        call_id: CallId,
        enqueued_at: DbTime,
    ) -> Result<JobOutcome, StoreError> {
        let Some(call) = self.store.call(&Actor::System, call_id).await? else {
            return Ok(JobOutcome::Failed("call not found".to_string()));
        };
        // Decided from the call as it is now (the payload only names it).
        let talk = call.talk_seconds.and_then(|t| u32::try_from(t).ok());
        let Some(kind) = rules::followup_for(
            call.answered,
            talk,
            self.settings.followup_min_talk_secs,
            self.settings.missed_call_text,
        ) else {
            return Ok(done(call_id, "call does not qualify"));
        };
        if call.source != CallSource::Twilio {
            return Ok(done(call_id, "not a Twilio call"));
        }
        let Some(caller) = call
            .caller_number
            .as_deref()
            .and_then(|n| PhoneNumber::parse(n).ok())
        else {
            return Ok(done(call_id, "no number to text"));
        };
        if self.store.is_opted_out(caller.as_str()).await? {
            return Ok(done(call_id, "caller opted out"));
        }
        let Some(profile) = self
            .store
            .profile(&Actor::System, call.dj_profile_id)
            .await?
        else {
            return Ok(JobOutcome::Failed("DJ profile not found".to_string()));
        };

        // Quiet hours in the DJ's zone: come back in the morning (not a failure).
        let now = self.now();
        let tz = rules::time_zone(&profile.timezone);
        let allowed = rules::next_allowed_instant(now.0, &tz, self.settings.quiet_hours);
        if allowed > now.0 {
            tracing::info!(call_id = %call_id, until = %allowed, "follow-up waits for the end of quiet hours");
            return Ok(JobOutcome::Later(DbTime(allowed)));
        }

        let Some(from) = call
            .virtual_number
            .as_deref()
            .and_then(|n| PhoneNumber::parse(n).ok())
            .or_else(|| self.settings.platform_number.clone())
        else {
            return Ok(JobOutcome::Failed(
                "no sender number (virtual or platform)".to_string(),
            ));
        };

        let (body, link, experiment) = match self
            .compose_followup(&call, &profile, kind, enqueued_at)
            .await?
        {
            Composed::Text {
                body,
                link,
                experiment,
            } => (body, link, experiment),
            Composed::LookAgainAt(at) => {
                tracing::info!(call_id = %call_id, until = %at.0, "follow-up waits for the call's insights");
                return Ok(JobOutcome::Later(at));
            }
        };

        let claim = self
            .store
            .claim_followup_under(
                &FollowupRequest {
                    call_id,
                    dj_profile_id: call.dj_profile_id,
                    caller: caller.as_str(),
                    kind: kind.as_str(),
                    not_since: DbTime(now.0.saturating_sub(PER_CALLER_WINDOW).unwrap_or(now.0)),
                },
                experiment,
                now,
            )
            .await?;
        match claim {
            FollowupClaim::Claimed => {}
            FollowupClaim::AlreadyClaimed => return Ok(done(call_id, "already claimed")),
            FollowupClaim::OptedOut => return Ok(done(call_id, "caller opted out")),
            FollowupClaim::RecentFollowup => {
                return Ok(done(
                    call_id,
                    "caller had a follow-up from this DJ within 24 h",
                ));
            }
            // An experiment started or stopped while the text was composed: compose again.
            FollowupClaim::ExperimentChanged => return Ok(JobOutcome::Later(self.now())),
        }

        let status_callback = format!("{}{}", self.settings.public_base_url, paths::SMS_STATUS);
        let sent = self
            .telephony
            .send_sms(&from, &caller, &body, Some(&status_callback))
            .await;
        let now = self.now();
        match sent {
            Ok(sid) => {
                let message_kind = match kind {
                    FollowupKind::Thanks => "followup",
                    FollowupKind::Missed => "missed",
                };
                let text = crate::contacts::ContactTouch::Text {
                    dj: call.dj_profile_id,
                    phone: caller.clone(),
                };
                let events = [
                    self.followup_webhook_job(&call, sid.as_str(), kind.as_str(), now),
                    self.contact_webhook_job(&text, now),
                ];
                // If this fails the claim stays `claimed` and no retry resends (module docs).
                self.store
                    .record_followup_sent_with(
                        &SentFollowup {
                            call_id,
                            dj_profile_id: call.dj_profile_id,
                            message_sid: sid.as_str(),
                            from: from.as_str(),
                            to: caller.as_str(),
                            body: &body,
                            kind: message_kind,
                            tipjar_link: link.as_deref(),
                        },
                        now,
                        &events,
                    )
                    .await?;
                self.jobs_due_now();
                self.count_contact_touch(&text);
                tracing::info!(call_id = %call_id, message_sid = %sid, kind = kind.as_str(), "follow-up sent");
                Ok(JobOutcome::Done)
            }
            Err(e) if e.is_opted_out() => {
                self.store
                    .settle_followup(call_id, FollowupState::Failed, now)
                    .await?;
                let touch = crate::contacts::ContactTouch::OptOut {
                    phone: caller.clone(),
                    opted_out: true,
                };
                let events = [
                    self.opt_out_webhook_job(caller.as_str(), "twilio_21610", now),
                    self.contact_webhook_job(&touch, now),
                ];
                if self
                    .store
                    .record_opt_out_with(caller.as_str(), "twilio_21610", now, &events)
                    .await?
                {
                    self.jobs_due_now();
                    self.count_contact_touch(&touch);
                }
                tracing::info!(call_id = %call_id, "caller has opted out at Twilio (21610); marked, not retried");
                Ok(JobOutcome::Done)
            }
            Err(e @ TwilioError::Timeout) => {
                self.store
                    .settle_followup(call_id, FollowupState::Unknown, now)
                    .await?;
                Ok(JobOutcome::Failed(format!(
                    "{}; it may have been sent, so it is not retried",
                    summary(&e)
                )))
            }
            Err(e) if e.is_retryable() => {
                self.store
                    .settle_followup(call_id, FollowupState::Failed, now)
                    .await?;
                Ok(JobOutcome::Retry(summary(&e)))
            }
            Err(e) => {
                self.store
                    .settle_followup(call_id, FollowupState::Failed, now)
                    .await?;
                Ok(JobOutcome::Failed(summary(&e)))
            }
        }
    }
}

fn done(call_id: CallId, why: &'static str) -> JobOutcome {
    tracing::info!(call_id = %call_id, reason = why, "no follow-up sent");
    JobOutcome::Done
}

/// 16 random bytes, base64url without padding (22 characters).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A Twilio error for `last_error`: its kind and code, never its message (which may quote a
/// number).
fn summary(e: &TwilioError) -> String {
    let kind = match e {
        TwilioError::Timeout => "Twilio request timed out".to_string(),
        TwilioError::Network(_) => "could not reach Twilio".to_string(),
        TwilioError::RateLimited { .. } => "Twilio rate limited us (HTTP 429)".to_string(),
        TwilioError::Server { status, .. } => format!("Twilio server error (HTTP {status})"),
        TwilioError::OptedOut => "recipient opted out".to_string(),
        TwilioError::InvalidRecipient { .. } => {
            "Twilio cannot deliver to this recipient".to_string()
        }
        TwilioError::Unauthorized { status, .. } => {
            format!("Twilio refused our credentials (HTTP {status})")
        }
        TwilioError::NotFound { .. } => "Twilio: no such resource (HTTP 404)".to_string(),
        TwilioError::Rejected { status, .. } => {
            format!("Twilio refused the request (HTTP {status})")
        }
        TwilioError::NoNumbersAvailable { .. } => "no numbers available".to_string(),
        TwilioError::UnexpectedResponse(_) => "unexpected response from Twilio".to_string(),
        TwilioError::InvalidArgument(_) => "invalid request to Twilio".to_string(),
        TwilioError::Config(_) => "Twilio is misconfigured".to_string(),
    };
    match e.code() {
        Some(code) => format!("{kind}, error {code}"),
        None => kind,
    }
}
