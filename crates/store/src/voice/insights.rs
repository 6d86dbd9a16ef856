//! A call's insights (SPEC §12): its transcript analysed against the call's local date in the
//! DJ's zone, stored by [`super::Store::record_voice_event_with`] in the transaction that
//! brought the transcript.

use crate::calls::CallRecord;
use djcalls_domain::LeadScore;
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

/// `None` without a transcript. An unknown zone reads the call's date in UTC.
pub(super) fn analysed(call: &CallRecord, zone: &str) -> Option<Analysed> {
    let transcript = call.transcription_text.as_deref()?;
    let zone = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let local_date = call.timestamp.0.to_zoned_datetime(zone).date();
    let insights = djcalls_insights::analyse(transcript, local_date);
    Some(Analysed {
        json: serde_json::to_string(&insights).ok()?,
        lead_score: insights.lead_score,
        event_type: insights.event_type.map(|t| t.as_str()),
    })
}
