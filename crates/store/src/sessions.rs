//! Dashboard sessions (`web_sessions`): stored server-side, the cookie carries only an opaque id.
//! Rows are keyed by the id's SHA-256 hash; every statement runs as the system (sign-in happens
//! before anyone is known).

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, UserId};
use uuid::Uuid;

/// One signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WebSession {
    pub id_hash: String,
    #[sqlx(try_from = "Uuid")]
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: DbTime,
    pub last_seen_at: DbTime,
    pub expires_at: DbTime,
}

impl Store {
    pub async fn insert_web_session(&self, session: &WebSession) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&session.id_hash)
            .bind(session.user_id.0)
            .bind(&session.csrf_token)
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The session with this id hash, if it has not expired by `now`.
    pub async fn web_session(&self, id_hash: &str, now: DbTime) -> StoreResult<Option<WebSession>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, WebSession>(
                "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at \
                 FROM web_sessions WHERE id_hash = $1 AND expires_at > $2",
            )
            .bind(id_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Slides a live session's idle expiry forward.
    pub async fn touch_web_session(
        &self,
        id_hash: &str,
        now: DbTime,
        expires_at: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1",
            )
            .bind(id_hash)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Ends one session; true when it existed.
    pub async fn delete_web_session(&self, id_hash: &str) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                > 0
        }))
    }

    /// Removes sessions that expired before `now`; returns how many.
    pub async fn delete_expired_web_sessions(&self, now: DbTime) -> StoreResult<u64> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }
}
