//! Calls the service never saw: Twilio connected them with a number's static fallback TwiML
//! while the service was down, and its call log is all we learn of them. The caller's leg
//! (`To` = the virtual number) and the leg Twilio dialled to the DJ (its child) are turned into
//! the events the webhooks would have carried and folded by the same rules
//! ([`CallFacts::fold`]), so a reconciled call gets the status a served one would.

use super::{CallFacts, DialOutcome, LegStatus, VoiceEvent};

/// One leg as Twilio's call log reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedLeg {
    pub status: LegStatus,
    pub duration_secs: Option<u32>,
}

/// The facts of a call from its caller leg and the legs Twilio dialled for it (the DJ's; the
/// static `<Dial>` has one number). `None` while any leg has not ended: a later run records
/// the call with its final status.
///
/// The caller leg stands for the number's status callback; each dialled leg for the `<Dial>`
/// outcome. The static TwiML has no whisper, so a DJ leg that completed counts as answered.
/// A caller leg that completed without a dialled leg hung up before the DJ's phone rang (or
/// Twilio could not fetch the fallback): `canceled`, as the fold says of a served call.
pub fn reconciled_facts(
    caller: &str,
    virtual_number: &str,
    caller_leg: &LoggedLeg,
    dialled_legs: &[LoggedLeg],
) -> Option<CallFacts> {
    if !caller_leg.status.has_ended() || dialled_legs.iter().any(|l| !l.status.has_ended()) {
        return None;
    }
    let mut events = vec![
        VoiceEvent::Incoming {
            caller: Some(caller.to_string()).filter(|c| !c.is_empty()),
            virtual_number: virtual_number.to_string(),
            caller_name: None,
        },
        VoiceEvent::Status {
            status: caller_leg.status.clone(),
            duration_secs: caller_leg.duration_secs,
        },
    ];
    events.extend(dialled_legs.iter().map(|leg| VoiceEvent::Dial {
        status: dial_outcome(&leg.status),
        duration_secs: leg.duration_secs,
        bridged: None,
    }));
    Some(CallFacts::fold(&events))
}

/// How a dialled leg that has ended went, as `<Dial action>` would have said.
fn dial_outcome(leg: &LegStatus) -> DialOutcome {
    match leg {
        LegStatus::Completed => DialOutcome::Completed,
        LegStatus::Busy => DialOutcome::Busy,
        LegStatus::NoAnswer => DialOutcome::NoAnswer,
        LegStatus::Canceled => DialOutcome::Canceled,
        _ => DialOutcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallStatus;

    fn leg(status: LegStatus, secs: u32) -> LoggedLeg {
        LoggedLeg {
            status,
            duration_secs: Some(secs),
        }
    }

    fn facts(caller_leg: LoggedLeg, dialled: &[LoggedLeg]) -> Option<CallFacts> {
        reconciled_facts("+13105550123", "+14155550100", &caller_leg, dialled)
    }

    #[test]
    fn a_dj_who_picked_up_makes_a_completed_call_with_its_talk_time() {
        let f = facts(
            leg(LegStatus::Completed, 75),
            &[leg(LegStatus::Completed, 61)],
        )
        .expect("ok");
        assert_eq!(f.status(), CallStatus::Completed);
        assert!(f.answered);
        assert_eq!(f.talk_seconds, Some(61));
        assert_eq!(f.call_duration_seconds, Some(75));
        assert_eq!(f.caller.as_deref(), Some("+13105550123"));
        assert_eq!(f.virtual_number.as_deref(), Some("+14155550100"));
    }

    #[test]
    fn the_djs_leg_says_how_an_unanswered_call_ended() {
        for (dj, expected) in [
            (LegStatus::NoAnswer, CallStatus::NoAnswer),
            (LegStatus::Busy, CallStatus::Busy),
            (LegStatus::Failed, CallStatus::Failed),
            (LegStatus::Canceled, CallStatus::Canceled),
        ] {
            let f = facts(leg(LegStatus::Completed, 25), &[leg(dj.clone(), 0)]).expect("ok");
            assert_eq!(f.status(), expected, "{dj}");
            assert!(!f.answered);
            assert_eq!(f.talk_seconds, None);
        }
    }

    #[test]
    fn without_a_dialled_leg_the_caller_legs_status_decides() {
        let hung_up = facts(leg(LegStatus::Completed, 3), &[]).expect("ok");
        assert_eq!(hung_up.status(), CallStatus::Canceled);
        let busy = facts(leg(LegStatus::Busy, 0), &[]).expect("ok");
        assert_eq!(busy.status(), CallStatus::Busy);
    }

    #[test]
    fn calls_still_going_wait_for_a_later_run() {
        assert_eq!(facts(leg(LegStatus::InProgress, 0), &[]), None);
        assert_eq!(
            facts(leg(LegStatus::Completed, 9), &[leg(LegStatus::Ringing, 0)]),
            None
        );
        assert_eq!(
            facts(leg(LegStatus::Other("odd".into()), 0), &[]),
            None,
            "an unknown status has not ended"
        );
    }
}
