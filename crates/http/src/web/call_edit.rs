//! The call page's correction form (`POST /dashboard/calls/{id}/edit`, CSRF-checked): the DJ
//! (own calls) or an admin sets event type, lead score and notes. It goes through the same use
//! case as `PATCH /api/djdash/calls/{id}`, and only the fields the person changed are sent, so
//! saving a note does not freeze a lead score the insights still set (a person's value is
//! never overwritten by insights: `*_set_by_person`).

use super::{PageError, WebSession, csrf};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Redirect;
use djcalls_app::records::{CallPatch, CallRecord};
use djcalls_domain::call::EVENT_TYPE_MAX_CHARS;
use djcalls_domain::{CallId, LeadScore};
use serde::Deserialize;

/// The event types the form offers (SPEC §12's vocabulary).
pub const EVENT_TYPES: [&str; 9] = [
    "wedding",
    "birthday",
    "corporate",
    "quinceanera",
    "school-dance",
    "anniversary",
    "bar-mitzvah",
    "holiday-party",
    "other",
];

/// The longest note the form takes (as the API).
const NOTES_MAX_CHARS: usize = 10_000;

/// What the form shows: the choices, with the call's current values selected.
pub struct CallEditForm {
    /// (value, selected); a stored type outside the list is offered too.
    pub event_types: Vec<(String, bool)>,
    pub no_event_type: bool,
    pub lead_scores: Vec<(&'static str, bool)>,
    pub notes: String,
}

impl CallEditForm {
    pub fn of(call: &CallRecord) -> CallEditForm {
        let current = call.event_type.as_deref();
        let mut event_types: Vec<(String, bool)> = EVENT_TYPES
            .iter()
            .map(|t| (t.to_string(), Some(*t) == current))
            .collect();
        if let Some(other) = current.filter(|c| !EVENT_TYPES.contains(c)) {
            event_types.push((other.to_string(), true));
        }
        CallEditForm {
            event_types,
            no_event_type: current.is_none(),
            lead_scores: LeadScore::ALL
                .iter()
                .map(|s| (s.as_str(), *s == call.lead_score))
                .collect(),
            notes: call.notes.clone().unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub struct EditForm {
    event_type: Option<String>,
    lead_score: Option<String>,
    notes: Option<String>,
}

pub async fn save(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    let form: EditForm = csrf::form(&session, &body)?;
    let id: CallId = parse_id("id", &id)?;
    let call = state.app.get_call(&session.actor, id).await?;
    let patch = changes(&call, form)?;
    if patch.lead_score.is_some() || patch.event_type.is_some() || patch.notes.is_some() {
        state.app.patch_call(&session.actor, id, patch).await?;
    }
    Ok(Redirect::to(&format!("/dashboard/calls/{id}#details")))
}

/// The fields of `form` that differ from `call`; a field left out of the form is unchanged.
fn changes(call: &CallRecord, form: EditForm) -> Result<CallPatch, PageError> {
    let lead_score = match form.lead_score.as_deref().map(str::trim) {
        None => None,
        Some(raw) => Some(LeadScore::parse(raw).ok_or_else(|| {
            PageError::bad_request("lead score must be hot, warm or cold.".to_string())
        })?),
    };
    let event_type = form
        .event_type
        .map(|raw| cleaned("event type", &raw, EVENT_TYPE_MAX_CHARS))
        .transpose()?;
    let notes = form
        .notes
        .map(|raw| cleaned("notes", &raw, NOTES_MAX_CHARS))
        .transpose()?;
    Ok(CallPatch {
        is_booked: None,
        lead_score: lead_score.filter(|s| *s != call.lead_score),
        event_type: event_type.filter(|e| e.as_deref() != call.event_type.as_deref()),
        notes: notes.filter(|n| n.as_deref() != call.notes.as_deref()),
    })
}

/// Trimmed; empty clears the field.
fn cleaned(label: &str, raw: &str, max: usize) -> Result<Option<String>, PageError> {
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(PageError::bad_request(format!(
            "{label} is longer than {max} characters."
        )));
    }
    Ok((!value.is_empty()).then(|| value.to_string()))
}
