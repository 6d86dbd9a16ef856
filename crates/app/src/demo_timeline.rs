//! The telephony events of a demo call (issue 13: demo call pages showed "No telephony events"):
//! what Twilio's webhooks would have said for a call with the demo call's facts, so its page
//! has a timeline. A test folds them back and checks they give the call the seed wrote.

use djcalls_domain::CallStatus;
use djcalls_domain::voice::{DialOutcome, LegStatus, TranscriptionOutcome, VoiceEvent};
use djcalls_store::DbTime;
use djcalls_store::calls::NewCall;
use jiff::SignedDuration;

/// The events of `call`, whose DJ's phone rang for `ring_secs`, each with when it came.
pub(crate) fn demo_events(call: &NewCall, ring_secs: i32) -> Vec<(VoiceEvent, DbTime)> {
    let start = call.timestamp.0;
    let at = |secs: i32| {
        DbTime(
            start
                .saturating_add(SignedDuration::from_secs(secs.into()))
                .unwrap_or(start),
        )
    };
    let total = call.call_duration_seconds.unwrap_or(0);
    let secs = |n: i32| Some(u32::try_from(n).unwrap_or(0));
    let mut events = vec![(
        VoiceEvent::Incoming {
            caller: call.caller_number.clone(),
            virtual_number: call.virtual_number.clone().unwrap_or_default(),
            caller_name: call.caller_name.clone(),
        },
        at(0),
    )];
    let dial =
        |status: DialOutcome, duration: Option<u32>, bridged: Option<bool>| VoiceEvent::Dial {
            status,
            duration_secs: duration,
            bridged,
        };
    match call.call_status {
        CallStatus::Completed => {
            let talk = call.talk_seconds.unwrap_or(0);
            events.push((
                dial(DialOutcome::Completed, secs(talk), Some(true)),
                at(ring_secs + talk),
            ));
            if let Some(sid) = &call.recording_sid {
                events.push((
                    VoiceEvent::Recording {
                        sid: sid.clone(),
                        duration_secs: secs(talk),
                        voicemail: false,
                    },
                    at(ring_secs + talk + 1),
                ));
            }
        }
        CallStatus::Voicemail => {
            events.push((
                dial(DialOutcome::NoAnswer, None, Some(false)),
                at(ring_secs),
            ));
            let message = (total - ring_secs).max(1);
            if let Some(sid) = &call.recording_sid {
                events.push((
                    VoiceEvent::Recording {
                        sid: sid.clone(),
                        duration_secs: secs(message),
                        voicemail: true,
                    },
                    at(total),
                ));
                events.push((
                    VoiceEvent::Transcription {
                        recording_sid: Some(sid.clone()),
                        status: TranscriptionOutcome::Completed,
                        text: call.transcription_text.clone(),
                    },
                    at(total + 20),
                ));
            }
        }
        CallStatus::Busy => events.push((dial(DialOutcome::Busy, None, None), at(1))),
        CallStatus::Failed => events.push((dial(DialOutcome::Failed, None, None), at(1))),
        _ => events.push((dial(DialOutcome::NoAnswer, None, None), at(ring_secs))),
    }
    events.push((
        VoiceEvent::Status {
            status: LegStatus::Completed,
            duration_secs: secs(total),
        },
        at(total.max(1)),
    ));
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use djcalls_domain::voice::CallFacts;
    use djcalls_domain::{CallId, CallSource, DjProfileId, LeadScore};
    use jiff::Timestamp;

    fn call(status: CallStatus, talk: Option<i32>, duration: i32, recorded: bool) -> NewCall {
        NewCall {
            id: CallId::new_v7(),
            dj_profile_id: DjProfileId(uuid::Uuid::nil()),
            virtual_number: Some("+12125550100".into()),
            caller_number: Some("+13125550123".into()),
            caller_name: None,
            timestamp: DbTime(Timestamp::UNIX_EPOCH),
            page_url: None,
            event_type: None,
            lead_score: LeadScore::Warm,
            is_booked: false,
            call_duration_seconds: Some(duration),
            call_status: status,
            call_sid: Some("CA00000000000000000000000000000001".into()),
            notes: None,
            source: CallSource::Demo,
            answered: status == CallStatus::Completed,
            talk_seconds: talk,
            voicemail_left: status == CallStatus::Voicemail,
            recording_sid: recorded.then(|| "RE00000000000000000000000000000001".into()),
            transcription_status: (status == CallStatus::Voicemail).then(|| "completed".into()),
            transcription_text: (status == CallStatus::Voicemail).then(|| "Call me back.".into()),
            tipjar_link_sent: false,
        }
    }

    /// Folding a demo call's events gives the call the seed wrote: the timeline tells the
    /// same story as the record.
    #[test]
    fn the_events_fold_into_the_seeded_call() {
        for c in [
            call(CallStatus::Completed, Some(300), 310, true),
            call(CallStatus::Voicemail, None, 60, true),
            call(CallStatus::NoAnswer, None, 18, false),
            call(CallStatus::Busy, None, 0, false),
            call(CallStatus::Failed, None, 0, false),
        ] {
            let events: Vec<VoiceEvent> = demo_events(&c, 10).into_iter().map(|(e, _)| e).collect();
            let facts = CallFacts::fold(&events);
            assert_eq!(facts.status(), c.call_status, "{:?}", c.call_status);
            assert_eq!(facts.answered, c.answered);
            assert_eq!(facts.voicemail_left, c.voicemail_left);
            assert_eq!(facts.talk_seconds.map(|t| t as i32), c.talk_seconds);
            assert_eq!(
                facts.call_duration_seconds.map(|t| t as i32),
                c.call_duration_seconds
            );
            assert_eq!(facts.recording_sid, c.recording_sid);
            assert_eq!(facts.caller, c.caller_number);
            assert!(facts.ended());
        }
    }
}
