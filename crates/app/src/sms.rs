//! Inbound SMS and message status callbacks (SPEC §4): STOP-type keywords opt the sender out
//! (platform-wide; Spanish ones too, confirmed in Spanish), START-type opt back in, HELP
//! answers a help text, anything else is kept as a message from a lead; delivery reports are
//! recorded, and error 21610 opts the recipient out.

use crate::contacts::ContactTouch;
use crate::{App, AppResult};
use djcalls_domain::followup::{HELP_TEXT, HELP_TEXT_ES, OPT_OUT_TEXT_ES};
use djcalls_domain::{Actor, PhoneNumber};
use djcalls_telephony::{Keyword, SmsStatusCallback, classify_keyword, is_spanish_keyword};

/// What to answer Twilio (as TwiML) for an inbound text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsReply {
    /// `<Response/>`: no reply (Twilio confirms STOP/START itself).
    Nothing,
    /// `<Response><Message>…</Message></Response>`.
    Message(String),
}

/// An inbound text as Twilio delivered it.
#[derive(Clone, Debug)]
pub struct InboundSms<'a> {
    pub message_sid: &'a str,
    /// `From` as sent (E.164 normally).
    pub from: &'a str,
    /// `To`: our number that received it.
    pub to: &'a str,
    pub body: &'a str,
}

/// E.164 when the address is a phone number, else the address as sent (trimmed).
fn normalise(address: &str) -> String {
    PhoneNumber::parse(address)
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|_| address.trim().to_string())
}

impl App {
    /// `/api/djdash/sms/incoming`. Idempotent per MessageSid: a redelivered STOP after a later
    /// START does not opt the sender out again.
    pub async fn inbound_sms(&self, sms: &InboundSms<'_>) -> AppResult<SmsReply> {
        let from = normalise(sms.from);
        let to = normalise(sms.to);
        let keyword = classify_keyword(sms.body);
        let seen_before = self
            .store
            .message_by_sid(&Actor::System, sms.message_sid)
            .await?
            .is_some();
        let now = self.now();
        // Act first, then keep the message: if keeping it fails, Twilio's retry acts again
        // (each action is idempotent) instead of finding the message and skipping the action.
        if !seen_before && !from.is_empty() {
            match keyword {
                Keyword::OptOut => {
                    let touch = ContactTouch::OptOut {
                        phone: PhoneNumber::from_trusted_e164(from.clone()),
                        opted_out: true,
                    };
                    let events = [
                        self.opt_out_webhook_job(&from, "keyword", now),
                        self.contact_webhook_job(&touch, now),
                    ];
                    if self
                        .store
                        .record_opt_out_with(&from, "keyword", now, &events)
                        .await?
                    {
                        self.jobs_due_now();
                        self.count_contact_touch(&touch);
                    }
                    tracing::info!(from = %djcalls_domain::phone::mask(&from), "sender opted out of texts");
                }
                Keyword::OptIn => {
                    let touch = ContactTouch::OptOut {
                        phone: PhoneNumber::from_trusted_e164(from.clone()),
                        opted_out: false,
                    };
                    let events = [self.contact_webhook_job(&touch, now)];
                    if self.store.clear_opt_out_with(&from, now, &events).await? {
                        self.jobs_due_now();
                        self.count_contact_touch(&touch);
                    }
                    tracing::info!(from = %djcalls_domain::phone::mask(&from), "sender opted back in to texts");
                }
                Keyword::Help | Keyword::Other => {}
            }
        }
        let kind = match keyword {
            Keyword::OptOut => "opt_out",
            Keyword::OptIn => "opt_in",
            Keyword::Help => "help",
            Keyword::Other => "lead",
        };
        let text_from = |dj| ContactTouch::Text {
            dj,
            phone: PhoneNumber::from_trusted_e164(from.clone()),
        };
        let kept = self
            .store
            .record_inbound_message_with(
                &djcalls_store::messages::InboundMessage {
                    message_sid: sms.message_sid,
                    from: &from,
                    to: &to,
                    body: sms.body,
                    kind,
                },
                now,
                |dj| vec![self.contact_webhook_job(&text_from(dj), now)],
            )
            .await?;
        if kept.new
            && let Some(dj) = kept.dj_profile_id
        {
            self.jobs_due_now();
            self.count_contact_touch(&text_from(dj));
            // The caller's latest call page shows the conversation: tell open dashboards.
            if let Some(call_id) = kept.call_id {
                self.live.publish(crate::live::CallChanged {
                    call_id,
                    dj_profile_id: dj,
                });
            }
        }
        if kept.new && keyword == Keyword::Other {
            tracing::info!(dj_profile_id = ?kept.dj_profile_id.map(|d| d.to_string()), "text from a lead kept");
        }
        // Twilio answers its own (English) keywords; the Spanish ones are ours to answer.
        let spanish = is_spanish_keyword(sms.body);
        Ok(match keyword {
            Keyword::Help if spanish => SmsReply::Message(HELP_TEXT_ES.to_string()),
            Keyword::Help => SmsReply::Message(HELP_TEXT.to_string()),
            Keyword::OptOut if spanish => SmsReply::Message(OPT_OUT_TEXT_ES.to_string()),
            _ => SmsReply::Nothing,
        })
    }

    /// `/api/djdash/sms/status`: records the delivery state on our message (never backwards);
    /// a recipient who opted out at Twilio (error 21610) goes on the opt-out list.
    pub async fn sms_status(&self, report: &SmsStatusCallback) -> AppResult<()> {
        let now = self.now();
        let message_sid = report.message_sid.as_str();
        let error_code = report.error_code;
        let to = report.to.as_ref().map(|a| normalise(a.as_str()));
        let from = report.from.as_ref().map(|a| normalise(a.as_str()));
        // The stored status is Twilio's own word for it (the messages table keeps it as sent).
        let status = report.status().map(|s| s.as_str());
        let status = status.unwrap_or(if error_code.is_some() {
            "failed"
        } else {
            "queued"
        });
        let recipient = self
            .store
            .record_message_status(
                message_sid,
                status,
                error_code.and_then(|c| i32::try_from(c).ok()),
                to.as_deref(),
                from.as_deref(),
                now,
            )
            .await?;
        self.announce_message(message_sid).await?;
        if report.recipient_opted_out()
            && let Some(recipient) = recipient.or(to).filter(|r| !r.is_empty())
        {
            let touch = ContactTouch::OptOut {
                phone: PhoneNumber::from_trusted_e164(recipient.clone()),
                opted_out: true,
            };
            let events = [
                self.opt_out_webhook_job(&recipient, "status_callback", now),
                self.contact_webhook_job(&touch, now),
            ];
            if self
                .store
                .record_opt_out_with(&recipient, "status_callback", now, &events)
                .await?
            {
                self.jobs_due_now();
                self.count_contact_touch(&touch);
            }
            tracing::info!(to = %djcalls_domain::phone::mask(&recipient), "recipient opted out (21610 in a delivery report)");
        }
        Ok(())
    }

    /// Tells open dashboards that a text of one of their calls changed (its delivery state).
    async fn announce_message(&self, message_sid: &str) -> AppResult<()> {
        let message = self
            .store
            .message_by_sid(&Actor::System, message_sid)
            .await?;
        if let Some(m) = message
            && let (Some(call), Some(dj)) = (m.call_id, m.dj_profile_id)
        {
            self.live.publish(crate::live::CallChanged {
                call_id: djcalls_domain::CallId(call),
                dj_profile_id: djcalls_domain::DjProfileId(dj),
            });
        }
        Ok(())
    }
}
