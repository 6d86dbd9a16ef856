//! Server-sent events for open dashboards: `GET /dashboard/events` (the DJ's own profiles;
//! admins: all) and `GET /admin/events` (admins). Each change is `event: call` with
//! `{"call_id", "dj_profile_id"}`; the page fetches the row and figures itself. A `ready`
//! event opens the stream, `resync` follows missed announcements (a slow client, or the relay
//! between processes lost its connection), comments keep it alive. Changes that arrived
//! through another process on the same database come through the same channel.

use super::{PageError, WebSession};
use crate::state::HttpState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use djcalls_app::live::LiveEvent;
use djcalls_domain::Actor;
use futures::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

pub async fn events(
    State(state): State<HttpState>,
    session: WebSession,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    stream_for(state.app.subscribe_live(), session.actor)
}

pub async fn admin_events(
    State(state): State<HttpState>,
    session: WebSession,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    session.require_admin()?;
    Ok(stream_for(state.app.subscribe_live(), session.actor))
}

/// `rx` is subscribed before the response starts: nothing published after the headers is missed.
fn stream_for(
    rx: Receiver<LiveEvent>,
    actor: Actor,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let ready = stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let changes = stream::unfold((rx, actor), |(mut rx, actor)| async move {
        loop {
            match rx.recv().await {
                Ok(LiveEvent::Call(change)) if actor.can_access(change.dj_profile_id) => {
                    let data = serde_json::json!({
                        "call_id": change.call_id.to_string(),
                        "dj_profile_id": change.dj_profile_id.to_string(),
                    });
                    let event = Event::default().event("call").data(data.to_string());
                    return Some((Ok(event), (rx, actor)));
                }
                Ok(LiveEvent::Call(_)) => continue,
                Ok(LiveEvent::Resync) | Err(RecvError::Lagged(_)) => {
                    let event = Event::default().event("resync").data("{}");
                    return Some((Ok(event), (rx, actor)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(ready.chain(changes)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
