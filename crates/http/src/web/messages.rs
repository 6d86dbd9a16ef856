//! Two-way texts on the dashboards (SPEC §13): the conversation card of a call's page, its
//! reply form (`POST /dashboard/calls/{id}/messages`, CSRF-checked, through the same use case
//! as the API), and the dashboard's "New messages" (texts from leads nobody answered yet).
//! Both lists are re-read live: they are `data-live-part`s that `app.js` refreshes when the
//! page's DJ has a change.

use super::rows::local;
use super::{PageError, WebSession, csrf};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Redirect;
use djcalls_app::AppError;
use djcalls_app::records::Message;
use djcalls_domain::CallId;
use jiff::tz::TimeZone;
use serde::Deserialize;

/// One text of a conversation, as the call page shows it.
pub struct MessageLine {
    pub id: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// Who wrote it, in words.
    pub label: &'static str,
    pub body: String,
    pub status: String,
    pub when: String,
    pub timestamp: String,
}

impl MessageLine {
    pub fn of(m: &Message, tz: &TimeZone) -> MessageLine {
        let label = match (m.direction.as_str(), m.kind.as_str()) {
            ("inbound", _) => "Caller",
            (_, "reply") => "You",
            (_, "followup") => "Follow-up text",
            (_, "missed") => "Missed-call text",
            _ => "Text",
        };
        MessageLine {
            id: m.id.to_string(),
            direction: m.direction.clone(),
            label,
            body: m.body.clone().unwrap_or_default(),
            status: m.status.clone(),
            when: local(m.created_at.0, tz),
            timestamp: m.created_at.0.to_string(),
        }
    }
}

/// A text from a lead that no reply followed (the dashboard's "New messages").
pub struct NewMessageRow {
    pub from: String,
    pub body: String,
    pub when: String,
    /// The caller's latest call when the text came: its page holds the conversation.
    pub call_id: Option<String>,
}

impl NewMessageRow {
    pub fn of(m: &Message, tz: &TimeZone) -> NewMessageRow {
        NewMessageRow {
            from: m.from_number.clone().unwrap_or_default(),
            body: m.body.clone().unwrap_or_default(),
            when: local(m.created_at.0, tz),
            call_id: m.call_id.map(|id| id.to_string()),
        }
    }
}

/// What the call page says after a reply was posted (`?reply=<outcome>`).
pub fn reply_notice(outcome: Option<&str>) -> Option<&'static str> {
    Some(match outcome? {
        "sent" => "Your text was sent.",
        "opted_out" => "Not sent: the caller opted out of texts.",
        "quiet_hours" => {
            "Not sent: it is quiet hours for this DJ, and the caller has not written within the last hour."
        }
        "body" => "Not sent: write a text of 1 to 1600 characters.",
        "no_caller_number" => "Not sent: this call has no caller number.",
        _ => "Not sent.",
    })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    body: Option<String>,
}

/// `POST /dashboard/calls/{id}/messages`: sends the reply and goes back to the conversation,
/// saying whether it went; refusals a person can act on are said there, not as an error page.
pub async fn reply(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    let form: ReplyForm = csrf::form(&session, &body)?;
    let id: CallId = parse_id("id", &id)?;
    let text = form.body.unwrap_or_default();
    let outcome = match state.app.send_reply(&session.actor, id, &text).await {
        Ok(_) => "sent",
        Err(AppError::Invalid { field: "body", .. }) => "body",
        Err(AppError::Conflict { code, .. })
            if matches!(code, "opted_out" | "quiet_hours" | "no_caller_number") =>
        {
            code
        }
        Err(other) => return Err(other.into()),
    };
    Ok(Redirect::to(&format!(
        "/dashboard/calls/{id}?reply={outcome}#messages"
    )))
}
