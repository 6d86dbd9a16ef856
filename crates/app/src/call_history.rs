//! A call's history for its dashboard page: the call, every Twilio event stored for it (in
//! arrival order) and where its follow-up text stands.

use crate::{App, AppResult};
use djcalls_domain::followup_state::FollowupState;
use djcalls_domain::voice::VoiceEvent;
use djcalls_domain::{Actor, CallId};
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;

/// What the call page shows beyond the call's own fields.
#[derive(Clone, Debug)]
pub struct CallHistory {
    pub call: CallRecord,
    /// The call's webhook events with the instant each arrived; empty for a logged call.
    pub events: Vec<(VoiceEvent, DbTime)>,
    /// Where the follow-up text stands, `None` when no follow-up was ever due.
    pub followup_state: Option<FollowupState>,
}

impl App {
    /// The history of a call the actor may see (another DJ's call is "not found"). Events and
    /// the follow-up are read as the system once the access check has passed: they carry no
    /// DJ of their own to check against.
    pub async fn call_history(&self, actor: &Actor, id: CallId) -> AppResult<CallHistory> {
        let call = self.get_call(actor, id).await?;
        let events = match &call.call_sid {
            Some(sid) => self.store.voice_events(sid).await?,
            None => Vec::new(),
        };
        let followup_state = self.store.followup_state(call.id).await?;
        Ok(CallHistory {
            call,
            events,
            followup_state,
        })
    }
}
