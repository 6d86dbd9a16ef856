//! Server-sent events for open dashboards: `GET /dashboard/events` (the DJ's own profiles;
//! admins: all) and `GET /admin/events` (admins). Each change is `event: call` with
//! `{"call_id", "dj_profile_id"}`; the page fetches the row and figures itself. A `ready`
//! event opens the stream, `resync` follows missed announcements (a slow client, or the relay
//! between processes lost its connection), comments keep it alive. Changes that arrived
//! through another process on the same database come through the same channel.
//!
//! A stream lives only as long as the session that opened it: when the user's sessions end
//! (`LiveEvent::SignedOut`, from this process or another: disabled, password changed, tokens
//! revoked, signed out) the stream re-reads its own session and, if it is gone, sends
//! `signed_out` and ends. It also re-reads it after missed announcements and every
//! [`SESSION_RECHECK`], the backstop for a change whose announcement cannot reach this
//! process (SQLite has no relay between processes).

use super::{PageError, WebSession};
use crate::state::HttpState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use djcalls_app::App;
use djcalls_app::live::LiveEvent;
use djcalls_domain::{Actor, UserId};
use futures::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

/// How often an open stream re-reads its session when nothing told it to.
pub const SESSION_RECHECK: Duration = Duration::from_secs(30);

pub async fn events(
    State(state): State<HttpState>,
    session: WebSession,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    stream_for(state.app, session)
}

pub async fn admin_events(
    State(state): State<HttpState>,
    session: WebSession,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    session.require_admin()?;
    Ok(stream_for(state.app, session))
}

/// Subscribes before the response starts (nothing published after the headers is missed),
/// then checks the session once more: a sign-out committed after the request's session was
/// read is either seen by that check or heard on the subscription.
fn stream_for(app: App, session: WebSession) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let listener = Listener {
        rx: app.subscribe_live(),
        app,
        actor: session.actor,
        user: session.user_id,
        cookie: session.cookie,
        recheck: recheck_timer(),
        phase: Phase::Opening,
    };
    let events = stream::unfold(listener, |mut listener| async move {
        let event = listener.next().await?;
        Some((Ok(event), listener))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn recheck_timer() -> Interval {
    let mut timer = interval_at(Instant::now() + SESSION_RECHECK, SESSION_RECHECK);
    timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    timer
}

enum Phase {
    Opening,
    Open,
    Ended,
}

/// One open stream: what it hears, for whom, and the session it lives by.
struct Listener {
    rx: Receiver<LiveEvent>,
    app: App,
    actor: Actor,
    user: UserId,
    /// The session cookie's value (a secret; never logged).
    cookie: String,
    recheck: Interval,
    phase: Phase,
}

impl Listener {
    /// The next event to send, or `None` when the stream is over.
    async fn next(&mut self) -> Option<Event> {
        match self.phase {
            Phase::Ended => return None,
            Phase::Opening => {
                if !self.still_signed_in().await {
                    return Some(self.sign_out());
                }
                self.phase = Phase::Open;
                return Some(Event::default().event("ready").data("{}"));
            }
            Phase::Open => {}
        }
        loop {
            let heard = tokio::select! {
                heard = self.rx.recv() => heard,
                _ = self.recheck.tick() => {
                    if !self.still_signed_in().await {
                        return Some(self.sign_out());
                    }
                    continue;
                }
            };
            match heard {
                Ok(LiveEvent::Call(change)) if self.actor.can_access(change.dj_profile_id) => {
                    let data = serde_json::json!({
                        "call_id": change.call_id.to_string(),
                        "dj_profile_id": change.dj_profile_id.to_string(),
                    });
                    return Some(Event::default().event("call").data(data.to_string()));
                }
                Ok(LiveEvent::Call(_)) => continue,
                Ok(LiveEvent::SignedOut(user)) if user == self.user => {
                    if !self.still_signed_in().await {
                        return Some(self.sign_out());
                    }
                }
                Ok(LiveEvent::SignedOut(_)) => continue,
                // A sign-out may be among what was missed.
                Ok(LiveEvent::Resync) | Err(RecvError::Lagged(_)) => {
                    if !self.still_signed_in().await {
                        return Some(self.sign_out());
                    }
                    return Some(Event::default().event("resync").data("{}"));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The last event: the page goes to sign-in instead of reconnecting.
    fn sign_out(&mut self) -> Event {
        self.phase = Phase::Ended;
        Event::default().event("signed_out").data("{}")
    }

    /// Whether the stream's session still stands. A database that cannot answer is not a
    /// sign-out: the stream stays, and the next check asks again.
    async fn still_signed_in(&self) -> bool {
        match self.app.session_is_live(&self.cookie).await {
            Ok(live) => live,
            Err(e) => {
                tracing::warn!(error = %crate::error::error_chain(&e), "could not re-check a live stream's session");
                true
            }
        }
    }
}
