//! Taking access away reaches open streams at once: when a user's sessions end (disabled,
//! password changed, tokens revoked, signed out), this process's streams hear
//! `LiveEvent::SignedOut` directly and every other process on a PostgreSQL database through
//! `NOTIFY` on the access channel — sent here rather than through the relay's outbox, since
//! `djcalls user disable` runs in a process of its own, with no relay. Each stream of that
//! user then re-reads its own session and ends if it is gone.

use super::LiveEvent;
use crate::App;
use djcalls_domain::UserId;
use djcalls_store::notify::ACCESS_CHANNEL;

impl App {
    /// After a commit that ended some or all of `user`'s sessions.
    pub(crate) async fn announce_sessions_ended(&self, user: UserId) {
        self.live.deliver(LiveEvent::SignedOut(user));
        let payload = format!("{} {user}", self.live.instance());
        if let Err(e) = self.store.notify(ACCESS_CHANNEL, &payload).await {
            // The other processes' streams find out at their next periodic check.
            tracing::warn!(error = %e, user = %user, "could not tell the other processes that a user's sessions ended");
        }
    }
}
