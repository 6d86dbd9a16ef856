//! One call: `GET /dashboard/calls/{id}` (timeline, recording, transcript, details, follow-up,
//! mark as booked, quality, the correction form of `call_edit`, the texts with the caller and
//! the reply form of `messages`), its list row for live updates, and its recording for the session.

use super::call_edit::CallEditForm;
use super::call_insights::{ConversationLine, InsightsCard, conversation};
use super::call_quality::QualityCard;
use super::contacts::ContactRow;
use super::messages::{MessageLine, reply_notice};
use super::rows::{CallRow, RowFragment, dollars, local, query, zone};
use super::{Nav, PageError, WebSession, csrf};
use crate::request::parse_id;
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use djcalls_app::records::{CallPatch, CallRecord};
use djcalls_domain::CallId;
use djcalls_domain::voice::VoiceEvent;
use jiff::tz::TimeZone;
use serde::Deserialize;

pub struct Step {
    pub when: String,
    pub what: String,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "call.html")]
struct CallPage {
    nav: Nav,
    call: CallRecord,
    dj_name: String,
    when: String,
    timeline: Vec<Step>,
    followup: String,
    paid: String,
    attribution: Vec<(String, String)>,
    /// The caller as a contact, and their other calls to the same DJ.
    contact: Option<ContactRow>,
    history: Vec<CallRow>,
    /// What the transcript says (SPEC §12).
    insights: Option<InsightsCard>,
    /// How the call went (SPEC §12), once Voice Insights was read.
    quality: Option<QualityCard>,
    /// The correction form: event type, lead score, notes.
    edit: CallEditForm,
    /// The conversation of an answered call (SPEC §12).
    conversation: Vec<ConversationLine>,
    /// The texts to and from the caller (SPEC §13), oldest first.
    messages: Vec<MessageLine>,
    /// What became of the reply just posted.
    reply_notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct CallPageQuery {
    reply: Option<String>,
}

/// The call's id from the path; an unparsable one is a missing page, not a form error.
fn call_id(id: &str) -> Result<CallId, PageError> {
    parse_id("id", id).map_err(|_| {
        PageError::new(
            axum::http::StatusCode::NOT_FOUND,
            "Not found",
            "No such call.",
        )
    })
}

/// The DJ's name and time zone, for a call the session may see.
async fn dj_of(
    state: &HttpState,
    session: &WebSession,
    call: &CallRecord,
) -> Result<(String, TimeZone), PageError> {
    let profile = state
        .app
        .get_profile(&session.actor, call.dj_profile_id)
        .await?;
    let (tz, _) = zone(&profile.timezone);
    Ok((profile.dj_name, tz))
}

fn step(event: &VoiceEvent) -> (String, String) {
    let secs = |d: &Option<u32>| d.map(|s| format!(" after {s}s")).unwrap_or_default();
    match event {
        VoiceEvent::Incoming { caller_name, .. } => (
            "Call came in".into(),
            caller_name
                .clone()
                .map(|n| format!("Caller ID: {n}"))
                .unwrap_or_default(),
        ),
        VoiceEvent::Dial {
            status,
            duration_secs,
            ..
        } => (
            "Forwarded to the DJ".into(),
            format!("{status}{}", secs(duration_secs)),
        ),
        VoiceEvent::Status {
            status,
            duration_secs,
        } => ("Status".into(), format!("{status}{}", secs(duration_secs))),
        VoiceEvent::Recording {
            voicemail,
            duration_secs,
            ..
        } => (
            if *voicemail {
                "Voicemail recorded"
            } else {
                "Call recorded"
            }
            .into(),
            secs(duration_secs).trim().to_string(),
        ),
        VoiceEvent::Transcription { status, .. } => ("Transcription".into(), status.to_string()),
    }
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q: CallPageQuery = query(raw.as_deref())?;
    let history = state
        .app
        .call_history(&session.actor, call_id(&id)?)
        .await?;
    let call = history.call;
    let (dj_name, tz) = dj_of(&state, &session, &call).await?;
    let caller = state.app.caller_history(&session.actor, &call).await?;
    let (contact, history_rows) = match caller {
        Some(c) => (
            Some(ContactRow::of(&c.contact, &tz)),
            c.calls
                .iter()
                .map(|other| CallRow::of(other, &tz))
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let timeline = history
        .events
        .iter()
        .map(|(event, at)| {
            let (what, detail) = step(event);
            Step {
                when: local(at.0, &tz),
                what,
                detail,
            }
        })
        .collect();
    let messages = state
        .app
        .call_messages(&session.actor, call.id)
        .await?
        .messages
        .iter()
        .map(|m| MessageLine::of(m, &tz))
        .collect();
    let followup = history
        .followup_state
        .map_or_else(|| "none".into(), |s| s.to_string());
    let attribution = call
        .attribution
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(a).ok())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(CallPage {
        nav: Nav::of(&session),
        dj_name,
        when: local(call.timestamp.0, &tz),
        paid: dollars(call.tipjar_payment_amount_cents),
        timeline,
        followup,
        attribution,
        contact,
        history: history_rows,
        insights: InsightsCard::of(call.insights.as_deref()),
        quality: QualityCard::of(&call),
        edit: CallEditForm::of(&call),
        conversation: conversation(call.transcript.as_deref()),
        messages,
        reply_notice: reply_notice(q.reply.as_deref()),
        call,
    }
    .into_response())
}

pub async fn row(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let call = state.app.get_call(&session.actor, call_id(&id)?).await?;
    let (_, tz) = dj_of(&state, &session, &call).await?;
    let fragment = RowFragment {
        row: CallRow::of(&call, &tz),
        show_dj: false,
    };
    let mut response = fragment.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

pub async fn recording(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: CallId = parse_id("id", &id)?;
    let audio = state.app.recording(&session.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, audio.content_type),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        audio.bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct BookedForm {
    booked: Option<String>,
}

/// `POST /dashboard/calls/{id}/booked` (`booked=true|false`, default true).
pub async fn mark_booked(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    let form: BookedForm = csrf::form(&session, &body)?;
    let id: CallId = parse_id("id", &id)?;
    let booked = form.booked.as_deref() != Some("false");
    let patch = CallPatch {
        is_booked: Some(booked),
        lead_score: None,
        event_type: None,
        notes: None,
    };
    state.app.patch_call(&session.actor, id, patch).await?;
    Ok(Redirect::to(&format!("/dashboard/calls/{id}")))
}
