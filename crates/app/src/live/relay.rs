//! The relay between processes sharing one PostgreSQL database: sends this process's
//! announcements with `NOTIFY` and hands what it hears from the others to this process's
//! dashboards and job runners. Started by `serve`; a no-op on SQLite (one process).
//!
//! Payloads carry ids only: `<instance> <call_id>:<dj_profile_id> …` on the live channel,
//! `<instance>` on the jobs channel, `<instance> <user_id> …` on the access channel (sent by
//! `access.rs`, from any process, relay or not), `<instance>` on the numbers channel (sent by
//! `App::public_numbers_changed`, likewise; it drops the in-memory public numbers, which are
//! trusted only while this relay listens). A process hears its own notifications too and skips them
//! by its instance id (it told its own dashboards and runners directly).
//!
//! Why not `NOTIFY` inside the business transactions (delivered exactly at commit)?
//! PostgreSQL serialises the commits of all notifying transactions on one lock, which would
//! take group commit away from the voice webhooks. Sending after the commit, batched, costs a
//! crash window instead: a process that dies between its commit and its notify leaves the
//! other runners to find the job by polling (1 s) and the other dashboards one update short.

use super::{CallChanged, LiveEvent, Outgoing};
use crate::App;
use djcalls_domain::{CallId, DjProfileId, UserId};
use djcalls_store::notify::{
    ACCESS_CHANNEL, JOBS_CHANNEL, LIVE_CHANNEL, MAX_PAYLOAD_BYTES, NUMBERS_CHANNEL, Notification,
};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Announcements sent in one go at most (the rest wait for the next round trip).
const BATCH: usize = 512;
/// Pause after each send, so under load one notification carries the calls of this long
/// instead of a few each (every notification is a round trip and a transaction); an
/// announcement after a quiet spell still goes at once.
const GATHER: Duration = Duration::from_millis(20);
/// Waits between attempts to reach the database again, doubling up to the last.
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// The running relay; [`Relay::shutdown`] stops it (before the pool closes).
pub struct Relay {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Relay {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "the live relay ended abnormally");
            }
        }
    }
}

impl App {
    /// Starts relaying live updates and job wake-ups to and from the other processes on this
    /// database; does nothing on SQLite (or when a relay already runs).
    pub fn start_relay(&self) -> Relay {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        if self.store.is_shared()
            && let Some(outbox) = self.live.take_outbox()
        {
            let instance = self.live.instance().to_string();
            tasks.push(tokio::spawn(send_loop(
                self.clone(),
                instance.clone(),
                outbox,
                stopped.clone(),
            )));
            tasks.push(tokio::spawn(listen_loop(self.clone(), instance, stopped)));
        }
        Relay { stop, tasks }
    }
}

async fn send_loop(
    app: App,
    instance: String,
    mut outbox: mpsc::Receiver<Outgoing>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let first = tokio::select! {
            _ = stopped.changed() => break,
            message = outbox.recv() => match message {
                Some(message) => message,
                None => break,
            },
        };
        // Whatever queued while the last notify was in flight goes together.
        let mut batch = vec![first];
        while batch.len() < BATCH
            && let Ok(message) = outbox.try_recv()
        {
            batch.push(message);
        }
        for (channel, payload) in payloads(&instance, &batch) {
            tracing::debug!(
                channel,
                bytes = payload.len(),
                "notifying the other processes"
            );
            if let Err(e) = app.store.notify(channel, &payload).await {
                tracing::warn!(error = %e, channel, "notifying the other processes failed");
            }
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(GATHER) => {}
        }
    }
}

/// The notifications a batch becomes: one jobs wake-up at most, calls packed under the limit.
fn payloads(instance: &str, batch: &[Outgoing]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if batch.contains(&Outgoing::JobsDue) {
        out.push((JOBS_CHANNEL, instance.to_string()));
    }
    let mut payload = String::new();
    for message in batch {
        let Outgoing::Call(change) = message else {
            continue;
        };
        let item = format!(" {}:{}", change.call_id, change.dj_profile_id);
        if !payload.is_empty() && payload.len() + item.len() > MAX_PAYLOAD_BYTES {
            out.push((LIVE_CHANNEL, std::mem::take(&mut payload)));
        }
        if payload.is_empty() {
            payload.push_str(instance);
        }
        payload.push_str(&item);
    }
    if !payload.is_empty() {
        out.push((LIVE_CHANNEL, payload));
    }
    out
}

/// Listens until stopped. Every time listening starts again after a loss, what may have been
/// missed meanwhile is caught up ([`catch_up`]); a failed attempt waits (500 ms doubling to
/// 5 s) before the next.
async fn listen_loop(app: App, instance: String, stopped: watch::Receiver<bool>) {
    listen(&app, &instance, stopped).await;
    // Changes to numbers go unheard from now on.
    app.public_numbers.set_hears_changes(false);
}

async fn listen(app: &App, instance: &str, mut stopped: watch::Receiver<bool>) {
    let channels = [JOBS_CHANNEL, LIVE_CHANNEL, ACCESS_CHANNEL, NUMBERS_CHANNEL];
    let mut retry = RETRY_FIRST;
    let mut lost_before = false;
    loop {
        let listening = tokio::select! {
            _ = stopped.changed() => return,
            listening = app.store.listen(&channels) => listening,
        };
        let mut listener = match listening {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = retry.as_millis(), "cannot listen for other processes' updates yet");
                if wait_or_stop(&mut stopped, &mut retry).await {
                    return;
                }
                continue;
            }
        };
        retry = RETRY_FIRST;
        app.public_numbers.set_hears_changes(true);
        if lost_before {
            tracing::info!(
                "listening again for other processes' updates; dashboards resynchronise"
            );
            catch_up(app);
        } else {
            tracing::info!("listening for other processes' live updates and jobs");
        }
        loop {
            let heard = tokio::select! {
                _ = stopped.changed() => return,
                heard = listener.recv() => heard,
            };
            match heard {
                Ok(notification) => hear(app, instance, &notification),
                Err(lost) => {
                    app.public_numbers.set_hears_changes(false);
                    tracing::warn!(error = %lost, "the relay to other processes lost its database connection; listening again");
                    break;
                }
            }
        }
        lost_before = true;
    }
}

/// What was missed while not listening: dashboards re-read, runners look for due jobs.
fn catch_up(app: &App) {
    app.live.deliver(LiveEvent::Resync);
    crate::jobs::wake_runners();
}

/// Waits `retry` (doubling it for next time) unless stopped first; true when stopped.
async fn wait_or_stop(stopped: &mut watch::Receiver<bool>, retry: &mut Duration) -> bool {
    let wait = *retry;
    *retry = (*retry * 2).min(RETRY_MAX);
    tokio::select! {
        _ = stopped.changed() => true,
        _ = tokio::time::sleep(wait) => false,
    }
}

fn hear(app: &App, instance: &str, notification: &Notification) {
    let mut words = notification.payload.split(' ');
    if words.next() == Some(instance) {
        return;
    }
    tracing::debug!(channel = %notification.channel, bytes = notification.payload.len(), "heard another process");
    if notification.channel == NUMBERS_CHANNEL {
        app.public_numbers.invalidate();
        return;
    }
    if notification.channel == JOBS_CHANNEL {
        crate::jobs::wake_runners();
        return;
    }
    if notification.channel == ACCESS_CHANNEL {
        for word in words {
            match word.parse() {
                Ok(user) => app.live.deliver(LiveEvent::SignedOut(UserId(user))),
                Err(_) => tracing::warn!("ignored a malformed access notification"),
            }
        }
        return;
    }
    for word in words {
        match parse_change(word) {
            Some(change) => app.live.deliver(LiveEvent::Call(change)),
            None => tracing::warn!(
                channel = %notification.channel,
                "ignored a malformed live notification"
            ),
        }
    }
}

fn parse_change(word: &str) -> Option<CallChanged> {
    let (call, dj) = word.split_once(':')?;
    Some(CallChanged {
        call_id: CallId(call.parse().ok()?),
        dj_profile_id: DjProfileId(dj.parse().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn batches_become_few_small_notifications_that_parse_back() {
        let changes: Vec<CallChanged> = (0..300u128)
            .map(|n| CallChanged {
                call_id: CallId(Uuid::from_u128(n)),
                dj_profile_id: DjProfileId(Uuid::from_u128(7)),
            })
            .collect();
        let mut batch: Vec<Outgoing> = changes.iter().copied().map(Outgoing::Call).collect();
        batch.push(Outgoing::JobsDue);
        batch.push(Outgoing::JobsDue);
        let out = payloads("me", &batch);
        assert_eq!(out[0], (JOBS_CHANNEL, "me".to_string()));
        assert_eq!(out.iter().filter(|(c, _)| *c == JOBS_CHANNEL).count(), 1);
        let mut parsed = Vec::new();
        for (channel, payload) in &out[1..] {
            assert_eq!(*channel, LIVE_CHANNEL);
            assert!(payload.len() <= MAX_PAYLOAD_BYTES);
            let mut words = payload.split(' ');
            assert_eq!(words.next(), Some("me"));
            parsed.extend(words.map(|w| parse_change(w).unwrap()));
        }
        assert!(out.len() > 2, "300 changes need more than one notification");
        assert_eq!(parsed, changes);
    }
}
