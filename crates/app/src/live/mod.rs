//! Live updates: every change to a call is announced on an in-process channel, so open
//! dashboards (server-sent events) show new and updated calls without a reload. On PostgreSQL
//! the relay (`relay.rs`) also carries the announcements — and "jobs are due" — to every other
//! process on the database, and brings theirs into this channel. A user whose sessions ended
//! (`access.rs`) is announced the same way, so their open streams end in every process.

mod access;
mod relay;

pub use relay::Relay;

use djcalls_domain::{CallId, DjProfileId, UserId};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc};

/// A call was created or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallChanged {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
}

/// What a dashboard hears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveEvent {
    Call(CallChanged),
    /// Announcements may have been missed (the relay lost its connection): re-read.
    Resync,
    /// Some or all of this user's sessions ended (signed out, disabled, password changed,
    /// tokens revoked): their open streams check their own session and end if it is gone.
    SignedOut(UserId),
}

/// What this process tells the others (through the relay).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outgoing {
    Call(CallChanged),
    JobsDue,
}

/// Announcements queued for the relay at most; beyond it they are dropped (the other
/// processes' dashboards miss them, their runners poll).
const OUTBOX: usize = 4096;

/// The channel. Slow listeners miss old announcements (they re-read the call), never block
/// the writer.
#[derive(Clone, Debug)]
pub struct LiveEvents {
    sender: broadcast::Sender<LiveEvent>,
    outbox: Arc<Outbox>,
    /// This process on the notification channels: it skips what it sent itself.
    instance: Arc<str>,
}

#[derive(Debug)]
struct Outbox {
    /// Set while a relay runs; until then nothing is queued for it.
    relaying: AtomicBool,
    /// Set while announcements are being dropped (the outbox is full).
    overflowing: AtomicBool,
    tx: mpsc::Sender<Outgoing>,
    rx: Mutex<Option<mpsc::Receiver<Outgoing>>>,
}

impl Default for LiveEvents {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(256);
        let (tx, rx) = mpsc::channel(OUTBOX);
        LiveEvents {
            sender,
            outbox: Arc::new(Outbox {
                relaying: AtomicBool::new(false),
                overflowing: AtomicBool::new(false),
                tx,
                rx: Mutex::new(Some(rx)),
            }),
            instance: uuid::Uuid::new_v4().simple().to_string().into(),
        }
    }
}

impl LiveEvents {
    /// Tells this process's dashboards at once, and the other processes through the relay.
    pub fn publish(&self, change: CallChanged) {
        self.deliver(LiveEvent::Call(change));
        self.relay(Outgoing::Call(change));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.sender.subscribe()
    }

    /// Tells the other processes' job runners that a job is due.
    pub(crate) fn jobs_due(&self) {
        self.relay(Outgoing::JobsDue);
    }

    /// This process's name on the notification channels.
    pub(crate) fn instance(&self) -> &str {
        &self.instance
    }

    /// To this process's dashboards only (what the relay heard from the others).
    pub(crate) fn deliver(&self, event: LiveEvent) {
        // No listener is fine: nobody has a dashboard open.
        let _ = self.sender.send(event);
    }

    fn relay(&self, message: Outgoing) {
        let outbox = &self.outbox;
        if !outbox.relaying.load(Ordering::Acquire) {
            return;
        }
        match outbox.tx.try_send(message) {
            Ok(()) => outbox.overflowing.store(false, Ordering::Relaxed),
            // Once per overflow, not once per dropped announcement.
            Err(_) if !outbox.overflowing.swap(true, Ordering::Relaxed) => tracing::warn!(
                "the relay to other processes is behind (database slow or away): their dashboards miss updates until it catches up, their job runners poll"
            ),
            Err(_) => {}
        }
    }

    /// The relay's end of the outbox (once per process) and the switch that fills it.
    pub(crate) fn take_outbox(&self) -> Option<mpsc::Receiver<Outgoing>> {
        let rx = self
            .outbox
            .rx
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()?;
        self.outbox.relaying.store(true, Ordering::Release);
        Some(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn change(n: u128) -> CallChanged {
        CallChanged {
            call_id: CallId(Uuid::from_u128(n)),
            dj_profile_id: DjProfileId(Uuid::from_u128(9)),
        }
    }

    #[tokio::test]
    async fn subscribers_hear_changes_published_after_they_subscribed() {
        let live = LiveEvents::default();
        live.publish(change(1));
        let mut rx = live.subscribe();
        live.publish(change(2));
        assert_eq!(rx.recv().await.unwrap(), LiveEvent::Call(change(2)));
    }

    #[tokio::test]
    async fn only_a_running_relay_gets_announcements() {
        let live = LiveEvents::default();
        live.publish(change(1));
        let mut outbox = live.take_outbox().expect("the outbox, once");
        assert!(live.take_outbox().is_none());
        live.publish(change(2));
        live.jobs_due();
        assert_eq!(outbox.recv().await, Some(Outgoing::Call(change(2))));
        assert_eq!(outbox.recv().await, Some(Outgoing::JobsDue));
        assert!(outbox.try_recv().is_err());
    }
}
