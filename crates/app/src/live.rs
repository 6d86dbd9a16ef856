//! Live updates: every change to a call is announced on an in-process channel, so open
//! dashboards (server-sent events) show new and updated calls without a reload.

use djcalls_domain::{CallId, DjProfileId};
use tokio::sync::broadcast;

/// A call was created or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallChanged {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
}

/// The channel. Slow listeners miss old announcements (they re-read the call), never block
/// the writer.
#[derive(Clone, Debug)]
pub struct LiveEvents {
    sender: broadcast::Sender<CallChanged>,
}

impl Default for LiveEvents {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(256);
        LiveEvents { sender }
    }
}

impl LiveEvents {
    pub fn publish(&self, change: CallChanged) {
        // No listener is fine: nobody has a dashboard open.
        let _ = self.sender.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CallChanged> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[tokio::test]
    async fn subscribers_hear_changes_published_after_they_subscribed() {
        let live = LiveEvents::default();
        live.publish(CallChanged {
            call_id: CallId(Uuid::from_u128(1)),
            dj_profile_id: DjProfileId(Uuid::from_u128(9)),
        });
        let mut rx = live.subscribe();
        let change = CallChanged {
            call_id: CallId(Uuid::from_u128(2)),
            dj_profile_id: DjProfileId(Uuid::from_u128(9)),
        };
        live.publish(change);
        assert_eq!(rx.recv().await.unwrap(), change);
    }
}
