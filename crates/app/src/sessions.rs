//! Dashboard sign-in sessions: created at /login, looked up by cookie, ended at /logout.
//!
//! The cookie carries 32 random bytes (URL-safe base64); the store keeps only their SHA-256
//! hash. A session lives [`IDLE_TIMEOUT`] after its last use and never longer than
//! [`MAX_AGE`] after sign-in. Each has its own CSRF (synchronizer) token for form posts.

use crate::auth::{actor_for, token_hash};
use crate::{App, AppResult};
use base64::Engine as _;
use djcalls_domain::Actor;
use djcalls_store::DbTime;
use djcalls_store::sessions::WebSession;
use djcalls_store::users::User;
use jiff::{SignedDuration, Timestamp};

/// A session unused for this long ends.
pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_hours(12);
/// No session outlives this, however busy.
pub const MAX_AGE: SignedDuration = SignedDuration::from_hours(7 * 24);
/// Sessions are re-stamped at most this often (a page load is not a write).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(1);

/// 32 random bytes, URL-safe base64: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A live session and who it belongs to.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub actor: Actor,
    pub csrf_token: String,
}

/// A new session: the cookie value (shown once) and its CSRF token.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub cookie: String,
    pub csrf_token: String,
}

fn expiry(created: Timestamp, now: Timestamp) -> Timestamp {
    let idle = now.checked_add(IDLE_TIMEOUT).unwrap_or(now);
    let cap = created.checked_add(MAX_AGE).unwrap_or(created);
    idle.min(cap)
}

impl App {
    /// Starts a session for a user who just signed in, ending `previous` (the browser's old
    /// session, if any) so the id rotates on every sign-in.
    pub async fn start_session(
        &self,
        user: &User,
        previous: Option<&str>,
    ) -> AppResult<NewSession> {
        if let Some(old) = previous {
            self.store.delete_web_session(&token_hash(old)).await?;
        }
        let now = self.clock.now();
        let cookie = random_token();
        let csrf_token = random_token();
        self.store
            .insert_web_session(&WebSession {
                id_hash: token_hash(&cookie),
                user_id: user.id,
                csrf_token: csrf_token.clone(),
                created_at: DbTime(now),
                last_seen_at: DbTime(now),
                expires_at: DbTime(expiry(now, now)),
            })
            .await?;
        // Opportunistic clean-up; sessions are few and the expiry index makes it cheap.
        self.store.delete_expired_web_sessions(DbTime(now)).await?;
        Ok(NewSession { cookie, csrf_token })
    }

    /// The live session behind a cookie value, sliding its idle expiry.
    pub async fn session(&self, cookie: &str) -> AppResult<Option<SignedIn>> {
        if cookie.is_empty() || cookie.len() > 128 {
            return Ok(None);
        }
        let now = self.clock.now();
        let hash = token_hash(cookie);
        let Some(session) = self.store.web_session(&hash, DbTime(now)).await? else {
            return Ok(None);
        };
        let user = match self.store.user(session.user_id).await? {
            Some(user) if !user.disabled => user,
            // Gone or disabled (disabling ends sessions too; this covers a race with it).
            _ => {
                self.store.delete_web_session(&hash).await?;
                return Ok(None);
            }
        };
        if now.duration_since(session.last_seen_at.0) >= TOUCH_EVERY {
            let expires = expiry(session.created_at.0, now);
            self.store
                .touch_web_session(&hash, DbTime(now), DbTime(expires))
                .await?;
        }
        Ok(Some(SignedIn {
            actor: actor_for(&user),
            user,
            csrf_token: session.csrf_token,
        }))
    }

    /// Signs a browser out; its open live-update streams end.
    pub async fn end_session(&self, cookie: &str) -> AppResult<()> {
        let hash = token_hash(cookie);
        let session = self
            .store
            .web_session(&hash, DbTime(self.clock.now()))
            .await?;
        if self.store.delete_web_session(&hash).await?
            && let Some(session) = session
        {
            self.announce_sessions_ended(session.user_id).await;
        }
        Ok(())
    }

    /// Whether `cookie` still names a live session of an enabled user. Only reads (unlike
    /// [`App::session`], it never re-stamps the session): what an open stream asks.
    pub async fn session_is_live(&self, cookie: &str) -> AppResult<bool> {
        if cookie.is_empty() || cookie.len() > 128 {
            return Ok(false);
        }
        let now = DbTime(self.clock.now());
        let Some(session) = self.store.web_session(&token_hash(cookie), now).await? else {
            return Ok(false);
        };
        Ok(matches!(self.store.user(session.user_id).await?, Some(user) if !user.disabled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_slides_but_is_capped() {
        let t0: Timestamp = "2026-06-15T12:00:00Z".parse().unwrap();
        assert_eq!(expiry(t0, t0), t0 + IDLE_TIMEOUT);
        let late = t0 + SignedDuration::from_hours(7 * 24 - 1);
        assert_eq!(expiry(t0, late), t0 + MAX_AGE);
    }
}
