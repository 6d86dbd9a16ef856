//! The signed-in dashboard user, from the session cookie, and the cookies themselves.
//!
//! The cookie holds an opaque random id (the store keeps only its SHA-256 hash):
//! `HttpOnly; SameSite=Lax; Path=/`, plus `Secure` when the public base URL is https.
//!
//! When the dashboards may be framed (`DJCALLS_FRAME_ANCESTORS`) and the service is reached
//! over https, the cookies are `SameSite=None; Secure; Partitioned` instead: a browser sends
//! no Lax or Strict cookie inside a frame on another site, and `Partitioned` (CHIPS) keeps the
//! framed session in a jar of its own per embedding site, which browsers that block ordinary
//! third-party cookies still allow. Form posts stay protected by their CSRF tokens. Over plain
//! http (a browser refuses `SameSite=None` without `Secure`) nothing changes.

use super::PageError;
use crate::state::HttpState;
use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use djcalls_app::records::Profile;
use djcalls_app::sessions::{MAX_AGE, SignedIn};
use djcalls_domain::{Actor, DjProfileId, UserId};

pub use crate::cookies::{SESSION_COOKIE, cookie};

/// The pre-session CSRF token of the sign-in form (double-submit: cookie and hidden field).
pub const LOGIN_CSRF_COOKIE: &str = "djcalls_login_csrf";

/// A live session. Without one a GET is sent to /login; any other method is refused (403),
/// since a post without a session cannot carry a valid CSRF token.
pub struct WebSession {
    pub user_id: UserId,
    pub email: String,
    /// The DJ profiles the user owns (none for admins).
    pub profiles: Vec<DjProfileId>,
    pub actor: Actor,
    pub csrf_token: String,
    /// The session cookie's value (a secret: never logged), for what re-checks the session
    /// later, such as an open live-update stream.
    pub(super) cookie: String,
}

impl FromRequestParts<HttpState> for WebSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, PageError> {
        let value = cookie(&parts.headers, SESSION_COOKIE);
        let signed_in = match value {
            Some(value) => state.app.session(value).await?,
            None => None,
        };
        match signed_in {
            Some(SignedIn {
                user,
                actor,
                csrf_token,
            }) => Ok(WebSession {
                user_id: user.id,
                cookie: value.unwrap_or_default().to_string(),
                email: user.email,
                profiles: user.profiles,
                actor,
                csrf_token,
            }),
            None if parts.method == Method::GET || parts.method == Method::HEAD => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/dashboard".into());
                Err(PageError::SignIn { next })
            }
            None => Err(PageError::csrf()),
        }
    }
}

impl WebSession {
    pub fn require_admin(&self) -> Result<(), PageError> {
        if self.actor.is_platform() {
            Ok(())
        } else {
            Err(PageError::forbidden())
        }
    }

    /// The DJ's profiles, in a stable order (admins: none of their own).
    pub async fn profiles(&self, state: &HttpState) -> Result<Vec<Profile>, PageError> {
        let mut out = Vec::new();
        for id in &self.profiles {
            if let Ok(p) = state.app.get_profile(&self.actor, *id).await {
                out.push(p);
            }
        }
        Ok(out)
    }
}

/// The attributes after `HttpOnly` that decide where the browser sends a cookie: `lax` or
/// `strict` normally, third-party-frame ones when framing is configured over https.
fn site_attributes(state: &HttpState, normal: &'static str) -> &'static str {
    let https = state.app.public_base_url().starts_with("https://");
    match (https, state.app.frame_ancestors().is_empty(), normal) {
        (true, false, _) => "SameSite=None; Secure; Partitioned",
        (true, true, "Strict") => "SameSite=Strict; Secure",
        (true, true, _) => "SameSite=Lax; Secure",
        (false, _, "Strict") => "SameSite=Strict",
        (false, _, _) => "SameSite=Lax",
    }
}

pub fn session_cookie(state: &HttpState, value: &str) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; {}; Max-Age={}",
        site_attributes(state, "Lax"),
        MAX_AGE.as_secs(),
    )
}

pub fn clear_session_cookie(state: &HttpState) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; {}; Max-Age=0",
        site_attributes(state, "Lax")
    )
}

pub fn login_csrf_cookie(state: &HttpState, value: &str) -> String {
    format!(
        "{LOGIN_CSRF_COOKIE}={value}; Path=/login; HttpOnly; {}; Max-Age=3600",
        site_attributes(state, "Strict")
    )
}
