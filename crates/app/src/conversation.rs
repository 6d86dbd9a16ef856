//! Two-way texts (SPEC §13): the conversation with a call's caller, replies from the call's
//! virtual number, and the inbound texts a DJ has not answered.
//!
//! A reply is refused before Twilio is asked when the caller opted out (409 `opted_out`) or,
//! in the DJ's quiet hours (the follow-up's, SPEC §8), unless the caller wrote within the last
//! hour (409 `quiet_hours`): someone texting at night may be answered at night. The check and
//! the send are not one transaction: an opt-out that arrives between them is Twilio's to
//! refuse (21610), which puts the number on our list too.

use crate::contacts::ContactTouch;
use crate::{App, AppError, AppResult};
use djcalls_domain::followup as rules;
use djcalls_domain::{Actor, CallId, PhoneNumber};
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;
use djcalls_store::messages::{Message, SentReply};
use djcalls_telephony::{TwilioError, paths};
use jiff::SignedDuration;

/// The longest reply, in characters: Twilio's limit for a message body.
pub const REPLY_MAX_CHARS: usize = 1600;
/// The most texts a conversation shows (the latest ones).
pub const CONVERSATION_LIMIT: u32 = 500;
/// How recently the caller must have written for a reply in quiet hours.
pub const QUIET_HOURS_ANSWER_WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// The most unanswered texts the dashboard lists.
pub const UNANSWERED_LIMIT: u32 = 20;

/// A conversation and the call it was asked for.
#[derive(Clone, Debug)]
pub struct Conversation {
    pub call: CallRecord,
    /// Oldest first; empty when the call has no caller number.
    pub messages: Vec<Message>,
}

/// A reply's text, trimmed; refused (naming `body`) when empty, too long or holding control
/// characters other than line breaks and tabs.
pub fn reply_body(body: &str) -> AppResult<&str> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "must not be empty"));
    }
    if body.chars().count() > REPLY_MAX_CHARS {
        return Err(AppError::invalid(
            "body",
            format!("must be at most {REPLY_MAX_CHARS} characters"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            "body",
            "must not contain control characters",
        ));
    }
    Ok(body)
}

fn caller_of(call: &CallRecord) -> Option<PhoneNumber> {
    call.caller_number
        .as_deref()
        .and_then(|n| PhoneNumber::parse(n).ok())
}

fn conflict(code: &'static str, message: &str) -> AppError {
    AppError::Conflict {
        code,
        message: message.to_string(),
    }
}

impl App {
    /// `GET /api/djdash/calls/{id}/messages`: every text between the call's DJ and its caller.
    pub async fn call_messages(&self, actor: &Actor, id: CallId) -> AppResult<Conversation> {
        let call = self.get_call(actor, id).await?;
        let messages = match caller_of(&call) {
            Some(caller) => {
                self.store
                    .conversation(
                        actor,
                        call.dj_profile_id,
                        caller.as_str(),
                        CONVERSATION_LIMIT,
                    )
                    .await?
            }
            None => Vec::new(),
        };
        Ok(Conversation { call, messages })
    }

    /// `POST /api/djdash/calls/{id}/messages`: texts `body` to the call's caller from the
    /// call's virtual number (the platform number if it has none), with a status callback so
    /// delivery reports update it. DJs and admins only: the service backend does not text
    /// callers in a DJ's name.
    pub async fn send_reply(&self, actor: &Actor, id: CallId, body: &str) -> AppResult<Message> {
        if matches!(actor, Actor::Service | Actor::System) {
            return Err(AppError::Forbidden);
        }
        let call = self.get_call(actor, id).await?;
        let body = reply_body(body)?;
        let Some(caller) = caller_of(&call) else {
            return Err(conflict(
                "no_caller_number",
                "This call has no caller number to text.",
            ));
        };
        if self.store.is_opted_out(caller.as_str()).await? {
            return Err(conflict(
                "opted_out",
                "The caller opted out of texts (they can text START to opt back in).",
            ));
        }
        self.check_quiet_hours(actor, &call, &caller).await?;
        let Some(from) = call
            .virtual_number
            .as_deref()
            .and_then(|n| PhoneNumber::parse(n).ok())
            .or_else(|| self.settings.platform_number.clone())
        else {
            return Err(conflict(
                "no_sender_number",
                "This call has no number to text from.",
            ));
        };
        let status_callback = format!("{}{}", self.settings.public_base_url, paths::SMS_STATUS);
        let sent = self
            .telephony
            .send_sms(&from, &caller, body, Some(&status_callback))
            .await;
        let now = self.now();
        let sid = match sent {
            Ok(sid) => sid,
            Err(e) => return Err(self.reply_refused(e, &caller, now).await),
        };
        let text = ContactTouch::Text {
            dj: call.dj_profile_id,
            phone: caller.clone(),
        };
        let message = self
            .store
            .record_reply_sent(
                &SentReply {
                    call_id: call.id,
                    dj_profile_id: call.dj_profile_id,
                    message_sid: sid.as_str(),
                    from: from.as_str(),
                    to: caller.as_str(),
                    body,
                },
                now,
                &[self.contact_webhook_job(&text, now)],
            )
            .await?;
        self.jobs_due_now();
        self.count_contact_touch(&text);
        self.announce(&call);
        tracing::info!(call_id = %call.id, message_sid = %sid, "reply sent");
        Ok(message)
    }

    /// Quiet hours in the DJ's zone refuse a reply unless the caller wrote within the hour.
    async fn check_quiet_hours(
        &self,
        actor: &Actor,
        call: &CallRecord,
        caller: &PhoneNumber,
    ) -> AppResult<()> {
        let profile = self.get_profile(actor, call.dj_profile_id).await?;
        let now = self.now();
        let tz = rules::time_zone(&profile.timezone);
        if rules::next_allowed_instant(now.0, &tz, self.settings.quiet_hours) == now.0 {
            return Ok(());
        }
        let since = now
            .0
            .checked_sub(QUIET_HOURS_ANSWER_WINDOW)
            .unwrap_or(now.0);
        let last = self
            .store
            .last_text_from(actor, call.dj_profile_id, caller.as_str())
            .await?;
        if last.is_some_and(|at| at.0 >= since) {
            return Ok(());
        }
        let (start, end) = self.settings.quiet_hours;
        Err(conflict(
            "quiet_hours",
            &format!(
                "It is quiet hours for this DJ ({start:02}:00–{end:02}:00 local time): texts go \
                 out then only to a caller who wrote within the last hour."
            ),
        ))
    }

    /// What a refused send means for the DJ; an opt-out at Twilio (21610) joins our list.
    async fn reply_refused(&self, e: TwilioError, caller: &PhoneNumber, now: DbTime) -> AppError {
        if e.is_opted_out() {
            let touch = ContactTouch::OptOut {
                phone: caller.clone(),
                opted_out: true,
            };
            let events = [
                self.opt_out_webhook_job(caller.as_str(), "twilio_21610", now),
                self.contact_webhook_job(&touch, now),
            ];
            match self
                .store
                .record_opt_out_with(caller.as_str(), "twilio_21610", now, &events)
                .await
            {
                Ok(true) => {
                    self.jobs_due_now();
                    self.count_contact_touch(&touch);
                }
                Ok(false) => {}
                Err(store) => return store.into(),
            }
            return conflict(
                "opted_out",
                "The caller opted out of texts at the carrier; nothing was sent.",
            );
        }
        // The code only: Twilio's text may quote the number.
        tracing::warn!(code = ?e.code(), "Twilio did not send a reply");
        match e {
            TwilioError::InvalidRecipient { .. } => conflict(
                "undeliverable",
                "Twilio cannot deliver texts to this caller's number.",
            ),
            _ => AppError::Unavailable("Twilio did not send the text; please try again."),
        }
    }

    /// Texts from leads nobody has replied to, newest first (the dashboard's "New messages").
    pub async fn unanswered_texts(
        &self,
        actor: &Actor,
        dj: Option<djcalls_domain::DjProfileId>,
    ) -> AppResult<Vec<Message>> {
        if let Some(dj) = dj
            && !actor.can_access(dj)
        {
            return Err(AppError::NotFound("DJ profile"));
        }
        Ok(self
            .store
            .unanswered_texts(actor, dj, UNANSWERED_LIMIT)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_body_is_trimmed_and_bounded() {
        assert_eq!(reply_body("  See you then!\n").unwrap(), "See you then!");
        for bad in ["", "   \n ", "nul\u{0}"] {
            assert!(
                matches!(
                    reply_body(bad),
                    Err(AppError::Invalid { field: "body", .. })
                ),
                "{bad:?}"
            );
        }
        assert!(reply_body(&"a".repeat(REPLY_MAX_CHARS)).is_ok());
        assert!(reply_body(&"a".repeat(REPLY_MAX_CHARS + 1)).is_err());
    }
}
