//! The event types of SPEC §14 and the `webhook_event` jobs that carry them, built inside the
//! transaction of their cause.

use super::delivery::WebhookEventJob;
use crate::App;
use crate::contacts::ContactTouch;
use djcalls_domain::CallStatus;
use djcalls_domain::voice::CallFacts;
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;
use djcalls_store::contacts::ContactUpsert;
use djcalls_store::jobs::NewJob;
use serde_json::{Value, json};
use uuid::Uuid;

/// What an event is about (`type` in the body; what endpoints subscribe to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    CallCompleted,
    CallMissed,
    VoicemailReceived,
    InsightsReady,
    FollowupSent,
    PaymentReceived,
    PaymentRefunded,
    ContactCreated,
    ContactUpdated,
    LeadOptedOut,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        EventType::CallCompleted,
        EventType::CallMissed,
        EventType::VoicemailReceived,
        EventType::InsightsReady,
        EventType::FollowupSent,
        EventType::PaymentReceived,
        EventType::PaymentRefunded,
        EventType::ContactCreated,
        EventType::ContactUpdated,
        EventType::LeadOptedOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CallCompleted => "call.completed",
            EventType::CallMissed => "call.missed",
            EventType::VoicemailReceived => "voicemail.received",
            EventType::InsightsReady => "insights.ready",
            EventType::FollowupSent => "followup.sent",
            EventType::PaymentReceived => "payment.received",
            EventType::PaymentRefunded => "payment.refunded",
            EventType::ContactCreated => "contact.created",
            EventType::ContactUpdated => "contact.updated",
            EventType::LeadOptedOut => "lead.opted_out",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The job that raises `event_type` about `cause` (e.g. a call id) with `data`, at `at`.
/// Enqueue it in the transaction of the cause: one event per type and cause, ever. Public for
/// the event sources outside this module (insights: `insights.ready`).
pub fn webhook_event_job(event_type: EventType, cause: &str, data: Value, at: DbTime) -> NewJob {
    let key = format!("webhook_event:{}:{cause}", event_type.as_str());
    WebhookEventJob::new(event_type, key, data, at).queue_row(at)
}

/// The call fields every call event carries.
fn call_data(call: &CallRecord) -> Value {
    json!({
        "call_id": call.id,
        "dj_profile_id": call.dj_profile_id,
        "call_status": call.call_status.as_str(),
        "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "virtual_number": call.virtual_number,
        "started_at": call.timestamp.0.to_string(),
        "answered": call.answered,
        "talk_seconds": call.talk_seconds,
        "call_duration_seconds": call.call_duration_seconds,
        "voicemail_left": call.voicemail_left,
    })
}

/// `insights.ready`'s data once the call's insights are stored (`None` before): the call
/// fields, the stored lead score and event type (a person's choice wins, as on the call), and
/// the insights themselves.
fn insights_data(call: &CallRecord) -> Option<Value> {
    let insights: Value = serde_json::from_str(call.insights.as_deref()?).ok()?;
    let mut data = call_data(call);
    data["lead_score"] = json!(call.lead_score.as_str());
    data["event_type"] = json!(call.event_type);
    data["insights"] = insights;
    Some(data)
}

impl App {
    /// The call events an updated call raises, built inside the voice fold's transaction:
    /// `call.completed` (answered) or `call.missed` once the call has ended — one of the two
    /// per call, and "missed" only once the dial outcome is known, so a status callback that
    /// overtakes the dial action never makes an answered call look missed — and
    /// `voicemail.received` once a voicemail was left; `insights.ready` once the call is over
    /// with insights stored ([`App::insights_ready_job`]).
    pub(crate) fn call_webhook_jobs(
        &self,
        facts: &CallFacts,
        call: &CallRecord,
        now: DbTime,
    ) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        let call_id = call.id.to_string();
        if facts.ended() && (facts.answered || facts.dial_status.is_some()) {
            let kind = if facts.answered {
                EventType::CallCompleted
            } else {
                EventType::CallMissed
            };
            // One key for both: whichever is raised first is the call's.
            let key = format!("webhook_event:call_final:{call_id}");
            jobs.push(WebhookEventJob::new(kind, key, call_data(call), now).queue_row(now));
        }
        if facts.voicemail_left {
            jobs.push(webhook_event_job(
                EventType::VoicemailReceived,
                &call_id,
                call_data(call),
                now,
            ));
        }
        jobs.extend(self.insights_ready_job(call, now));
        jobs
    }

    /// `insights.ready`, once per call: for a call that is over (its status final: an
    /// answered call's dial has ended, so its conversation is) and has insights stored. Built
    /// in the transaction that stores them or ends the call — the voice fold, or a transcript
    /// segment that changed them (`App::transcript_segment`) —, whichever comes first; the
    /// call's dedupe key makes every later one a no-op. Segments during the call raise
    /// nothing: the event carries the insights of the whole conversation, not of its first words.
    pub(crate) fn insights_ready_job(&self, call: &CallRecord, now: DbTime) -> Option<NewJob> {
        if call.call_status.rank() < CallStatus::Busy.rank() {
            return None;
        }
        let data = insights_data(call)?;
        Some(webhook_event_job(
            EventType::InsightsReady,
            &call.id.to_string(),
            data,
            now,
        ))
    }

    /// The call events of a call written whole, outside the voice pipeline (logged through
    /// the API, or recorded by reconciliation from the provider's call log): the same events a
    /// Twilio call raises, read from the record — `call.completed` (answered) or `call.missed`
    /// once its status is final, and `voicemail.received` when a voicemail was left. A call
    /// logged as still ringing raises none.
    pub(crate) fn written_call_webhook_jobs(&self, call: &CallRecord, now: DbTime) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        let call_id = call.id.to_string();
        let status = call.call_status;
        if status.rank() >= CallStatus::Busy.rank() {
            let kind = if call.answered {
                EventType::CallCompleted
            } else {
                EventType::CallMissed
            };
            let key = format!("webhook_event:call_final:{call_id}");
            jobs.push(WebhookEventJob::new(kind, key, call_data(call), now).queue_row(now));
        }
        if call.voicemail_left {
            let data = call_data(call);
            jobs.push(webhook_event_job(
                EventType::VoicemailReceived,
                &call_id,
                data,
                now,
            ));
        }
        jobs
    }

    /// `followup.sent`, enqueued with the text's "sent" record (one per call).
    pub(crate) fn followup_webhook_job(
        &self,
        call: &CallRecord,
        message_sid: &str,
        kind: &str,
        now: DbTime,
    ) -> NewJob {
        let data = json!({
            "call_id": call.id, "dj_profile_id": call.dj_profile_id,
            "caller_number": call.caller_number, "message_sid": message_sid, "kind": kind,
        });
        webhook_event_job(EventType::FollowupSent, &call.id.to_string(), data, now)
    }

    /// `lead.opted_out`, enqueued with the opt-out when the number was not on the list.
    pub(crate) fn opt_out_webhook_job(&self, phone: &str, source: &str, now: DbTime) -> NewJob {
        let data =
            json!({"phone_number": phone, "source": source, "opted_out_at": now.0.to_string()});
        let cause = Uuid::now_v7().to_string();
        webhook_event_job(EventType::LeadOptedOut, &cause, data, now)
    }
}

/// The contact event of a touch: `contact.created` for a call that made the contact,
/// `contact.updated` for every other change.
fn contact_event(touch: &ContactTouch) -> (EventType, Value) {
    match touch {
        ContactTouch::Call(upsert) => (
            if upsert.created {
                EventType::ContactCreated
            } else {
                EventType::ContactUpdated
            },
            json!({"contact_id": upsert.contact_id, "dj_profile_id": upsert.dj_profile_id,
                   "reason": "call"}),
        ),
        ContactTouch::Payment { call } => (
            EventType::ContactUpdated,
            json!({"call_id": call, "reason": "payment"}),
        ),
        ContactTouch::Text { dj, phone } => (
            EventType::ContactUpdated,
            json!({"dj_profile_id": dj, "phone": phone.as_str(), "reason": "text"}),
        ),
        ContactTouch::OptOut { phone, opted_out } => (
            EventType::ContactUpdated,
            json!({"phone": phone.as_str(), "opted_out": opted_out, "reason": "opt_out"}),
        ),
    }
}

impl App {
    /// The job raising `touch`'s contact event, for the transaction that touches the contact
    /// (one event per touch). With no endpoint enabled its insert writes nothing (the
    /// `webhook_endpoints` check inside `jobs::enqueue`), so no endpoint costs no row.
    pub(crate) fn contact_webhook_job(&self, touch: &ContactTouch, now: DbTime) -> NewJob {
        let (kind, data) = contact_event(touch);
        webhook_event_job(kind, &Uuid::now_v7().to_string(), data, now)
    }

    /// The jobs of a call written whole (logged, reconciled) and of its contact: its call
    /// events and its contact event, for the transaction that writes them.
    pub(crate) fn written_call_jobs(
        &self,
        call: &CallRecord,
        contact: Option<&ContactUpsert>,
        now: DbTime,
    ) -> Vec<NewJob> {
        let mut jobs = self.written_call_webhook_jobs(call, now);
        jobs.extend(contact.map(|c| self.contact_webhook_job(&ContactTouch::Call(*c), now)));
        jobs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_reads_back_from_its_name() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("call.started"), None);
    }
}
