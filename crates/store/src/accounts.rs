//! Account administration (SPEC §11, `djcalls token revoke`, `user disable|enable|password`):
//! each change that takes access away also ends the user's dashboard sessions, in the same
//! transaction, so nothing signed in survives it.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, UserId};

/// Ends every dashboard session of `$1`.
const END_SESSIONS: &str = "DELETE FROM web_sessions WHERE user_id = $1";

impl Store {
    /// Revokes the user's live tokens (only those named `name` when given) and ends their
    /// sessions; returns how many tokens were revoked.
    pub async fn revoke_api_tokens(
        &self,
        user: UserId,
        name: Option<&str>,
        now: DbTime,
    ) -> StoreResult<u64> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let revoked = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 \
                 WHERE user_id = $1 AND revoked_at IS NULL AND ($3 IS NULL OR name = $3)",
            )
            .bind(user.0)
            .bind(now)
            .bind(name)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            sqlx::query(END_SESSIONS)
                .bind(user.0)
                .execute(&mut *conn)
                .await?;
            revoked
        }))
    }

    /// Disables the user (`Some(now)`: their sessions end) or enables them again (`None`).
    pub async fn set_user_disabled(&self, user: UserId, at: Option<DbTime>) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1")
                .bind(user.0)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            if at.is_some() {
                sqlx::query(END_SESSIONS)
                    .bind(user.0)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        Ok(())
    }

    /// Stores a new password hash and ends the user's sessions.
    pub async fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(user.0)
                .bind(password_hash)
                .execute(&mut *conn)
                .await?;
            sqlx::query(END_SESSIONS)
                .bind(user.0)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }
}
