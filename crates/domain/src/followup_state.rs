//! The state of a call's follow-up claim (`followups.state`): at most one text per call, ever.

use crate::vocab::text_vocabulary;

/// Where a call's follow-up text stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FollowupState {
    /// Claimed by a job that is about to send it (or died sending it).
    Claimed,
    /// Twilio accepted the text.
    Sent,
    /// The send's outcome is unknown (maybe sent), so it is never tried again.
    Unknown,
    /// Twilio definitely refused it: nothing was sent.
    Failed,
}

text_vocabulary!(FollowupState, "followup state", {
    Claimed => "claimed",
    Sent => "sent",
    Unknown => "unknown",
    Failed => "failed",
});

impl FollowupState {
    /// Only a claim that definitely sent nothing may be claimed again; any other state means
    /// the caller may already have the text.
    pub fn may_be_claimed_again(self) -> bool {
        self == FollowupState::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_failed_claim_is_retried_and_states_keep_their_stored_names() {
        let retried: Vec<_> = FollowupState::ALL
            .iter()
            .filter(|s| s.may_be_claimed_again())
            .collect();
        assert_eq!(retried, [&FollowupState::Failed]);
        for s in FollowupState::ALL {
            assert_eq!(FollowupState::try_from(s.to_string()), Ok(*s));
        }
        assert_eq!(FollowupState::Unknown.as_str(), "unknown");
    }
}
