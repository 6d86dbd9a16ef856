//! A call's insights (SPEC §12): its words — the conversation of an answered call, else the
//! voicemail's transcript — analysed against the call's local date in the DJ's zone, stored by
//! `transcript::TranscriptConn::with_insights` in the transaction that brought the words.

use crate::calls::CallRecord;
use djcalls_domain::LeadScore;
use djcalls_domain::transcript::{TranscriptLine, plain_text};
use jiff::tz::TimeZone;

/// Stores the insights; `lead_score` and `event_type` follow unless a person set them (and an
/// event type is only ever replaced by one, never by "none found").
pub(super) const UPDATE_SQL: &str = "UPDATE dj_calls SET insights = $2, \
     lead_score = CASE WHEN lead_score_set_by_person THEN lead_score ELSE $3 END, \
     event_type = CASE WHEN event_type_set_by_person OR $4 IS NULL THEN event_type ELSE $4 END \
     WHERE id = $1 RETURNING {COLUMNS}";

/// What the analysis gave, ready to store.
pub(super) struct Analysed {
    pub json: String,
    pub lead_score: LeadScore,
    pub event_type: Option<&'static str>,
}

/// Whether the call has words to analyse.
pub(super) fn has_words(call: &CallRecord) -> bool {
    call.transcript.is_some() || call.transcription_text.is_some()
}

/// The words analysed: the conversation's lines, else the voicemail's transcript.
fn words(call: &CallRecord) -> Option<String> {
    let conversation = call
        .transcript
        .as_deref()
        .and_then(|json| serde_json::from_str::<Vec<TranscriptLine>>(json).ok())
        .filter(|lines| !lines.is_empty());
    match conversation {
        Some(lines) => Some(plain_text(&lines)),
        None => call.transcription_text.clone(),
    }
}

/// `None` without words. An unknown zone reads the call's date in UTC.
pub(super) fn analysed(call: &CallRecord, zone: &str) -> Option<Analysed> {
    let transcript = words(call)?;
    let zone = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let local_date = call.timestamp.0.to_zoned_datetime(zone).date();
    let insights = djcalls_insights::analyse(&transcript, local_date);
    Some(Analysed {
        json: serde_json::to_string(&insights).ok()?,
        lead_score: insights.lead_score,
        event_type: insights.event_type.map(|t| t.as_str()),
    })
}
