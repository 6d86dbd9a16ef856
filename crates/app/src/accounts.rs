//! Account administration without SQL (SPEC §11): revoke tokens, disable and enable users,
//! change a password. Taking access away works at once: tokens are checked against the
//! database on every request, sessions are deleted with the change (and a disabled user's
//! session is refused even if one slipped through), and open live-update streams of the user
//! end in every process (`live/access.rs`).

use crate::auth::hash_password;
use crate::{App, AppError, AppResult};
use djcalls_store::users::User;

impl App {
    async fn user_named(&self, email: &str) -> AppResult<User> {
        self.store
            .user_by_email(email)
            .await?
            .ok_or(AppError::NotFound("user"))
    }

    /// `djcalls token revoke`: the user's tokens (those named `name` when given); returns how
    /// many were revoked. The user's dashboard sessions end too.
    pub async fn revoke_api_tokens(&self, email: &str, name: Option<&str>) -> AppResult<u64> {
        let user = self.user_named(email).await?;
        let revoked = self
            .store
            .revoke_api_tokens(user.id, name, self.now())
            .await?;
        tracing::info!(user = %user.id, revoked, "revoked API tokens");
        self.announce_sessions_ended(user.id).await;
        Ok(revoked)
    }

    /// `djcalls user disable` / `enable`.
    pub async fn set_user_enabled(&self, email: &str, enabled: bool) -> AppResult<()> {
        let user = self.user_named(email).await?;
        let at = (!enabled).then(|| self.now());
        self.store.set_user_disabled(user.id, at).await?;
        tracing::info!(user = %user.id, enabled, "changed whether a user may sign in");
        if !enabled {
            self.announce_sessions_ended(user.id).await;
        }
        Ok(())
    }

    /// `djcalls user password`: the same rule as for new users; ends the user's sessions.
    pub async fn change_password(&self, email: &str, password: &str) -> AppResult<()> {
        let user = self.user_named(email).await?;
        if password.chars().count() < 8 {
            return Err(AppError::invalid(
                "password",
                "must be at least 8 characters",
            ));
        }
        let hash = hash_password(password.to_string()).await?;
        self.store.set_password_hash(user.id, &hash).await?;
        tracing::info!(user = %user.id, "changed a password");
        self.announce_sessions_ended(user.id).await;
        Ok(())
    }
}
