//! Notifications between processes sharing one PostgreSQL database (`LISTEN`/`NOTIFY`): what
//! the store offers the app's relay. Payloads are the sender's business (ids only, never
//! phone numbers). SQLite has one process by nature, so there is nothing to send or hear there.

use crate::{Pool, Store, StoreResult};
use sqlx::postgres::PgListener;

/// "A job was enqueued or made due": runners of every process look for work.
pub const JOBS_CHANNEL: &str = "djcalls_jobs";
/// "These calls changed": every process tells its open dashboards.
pub const LIVE_CHANNEL: &str = "djcalls_live";
/// "A DJ's number changed": every process drops its in-memory public numbers.
pub const NUMBERS_CHANNEL: &str = "djcalls_numbers";
/// "These users' sessions or tokens ended": every process re-checks their open streams.
pub const ACCESS_CHANNEL: &str = "djcalls_access";

/// Longest payload PostgreSQL accepts is 8000 bytes; senders stay below this.
pub const MAX_PAYLOAD_BYTES: usize = 7900;

/// One notification heard on a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub channel: String,
    pub payload: String,
}

/// A connection that `LISTEN`s. It holds one of the pool's connections for as long as it lives
/// (and gives it back, after `UNLISTEN *`, when dropped).
pub struct StoreListener {
    inner: PgListener,
}

/// The listening connection is gone (the server went away, the connection was cut, the pool
/// closed): notifications sent from now on are not heard. Drop the listener and listen anew.
#[derive(Debug, thiserror::Error)]
#[error("the listening connection was lost: {cause}")]
pub struct ListenerLost {
    pub cause: String,
}

impl StoreListener {
    /// The next notification, or [`ListenerLost`].
    pub async fn recv(&mut self) -> Result<Notification, ListenerLost> {
        match self.inner.try_recv().await {
            Ok(Some(n)) => Ok(Notification {
                channel: n.channel().to_string(),
                payload: n.payload().to_string(),
            }),
            Ok(None) => Err(ListenerLost {
                cause: "the connection closed".to_string(),
            }),
            Err(e) => Err(ListenerLost {
                cause: e.to_string(),
            }),
        }
    }
}

impl Store {
    /// Whether other processes can share this database (PostgreSQL) — and so whether
    /// notifications and database-held rate limits are worth their round trips.
    pub fn is_shared(&self) -> bool {
        matches!(self.pool, Pool::Pg(_))
    }

    /// Sends `payload` on `channel` to every listening process (this one included), as its
    /// own small transaction. Not inside business transactions on purpose: PostgreSQL
    /// serialises the commits of all transactions that notify, which would cost the voice
    /// path its group commits. A no-op on SQLite.
    pub async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()> {
        if let Pool::Pg(pool) = &self.pool {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// A connection of the pool listening on `channels`, or `None` on SQLite. A lost
    /// connection is not replaced behind the caller's back: it learns of the loss
    /// ([`ListenerLost`]) and listens anew, knowing that it missed what was sent meanwhile.
    pub async fn listen(&self, channels: &[&str]) -> StoreResult<Option<StoreListener>> {
        let Pool::Pg(pool) = &self.pool else {
            return Ok(None);
        };
        let mut inner = PgListener::connect_with(pool).await?;
        inner.eager_reconnect(false);
        inner.listen_all(channels.iter().copied()).await?;
        Ok(Some(StoreListener { inner }))
    }
}
