//! Sign-in from DJ Dash (SPEC §14): the service mints a one-time link for a DJ's email and
//! profile; the browser that opens it within [`LINK_LIFETIME`] is signed in as that DJ (the
//! user is created, without a password, on first use) and lands on the link's dashboard path.
//!
//! The link's token is 32 random bytes (URL-safe base64) shown once; the store keeps its
//! SHA-256. Redeeming spends it in the same transaction that finds the user
//! (`Store::redeem_sign_in_link`), so it works exactly once. A link never signs in an admin or
//! a disabled user.

use crate::auth::{checked_email, token_hash};
use crate::sessions::{NewSession, random_token};
use crate::{App, AppError, AppResult};
use djcalls_domain::{Actor, DjProfileId};
use djcalls_store::DbTime;
use djcalls_store::sign_in_links::{NewSignInLink, Redemption};
use jiff::{SignedDuration, Timestamp};

/// How long a minted link may be opened.
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_secs(60);

/// Where a link's token goes in its URL: `<PUBLIC_BASE_URL>/sign-in/<token>`.
pub const LINK_PATH: &str = "/sign-in/";

/// A minted link: its URL (a bearer secret) and when it stops working.
#[derive(Clone, Debug)]
pub struct SignInLink {
    pub url: String,
    pub expires_at: Timestamp,
}

/// A redeemed link: the new session and where to send the browser.
#[derive(Clone, Debug)]
pub struct LinkSignIn {
    pub session: NewSession,
    pub redirect: String,
}

impl App {
    /// `POST /api/djdash/sign-in-links`: the service only. `redirect` has been checked by the
    /// edge (a dashboard path on this site).
    pub async fn mint_sign_in_link(
        &self,
        actor: &Actor,
        dj_profile_id: DjProfileId,
        email: &str,
        redirect: &str,
    ) -> AppResult<SignInLink> {
        if !matches!(actor, Actor::Service) {
            return Err(AppError::Forbidden);
        }
        let email = checked_email(email)?.to_lowercase();
        if self.store.profile(actor, dj_profile_id).await?.is_none() {
            return Err(AppError::invalid(
                "dj_profile_id",
                "is not a known DJ profile",
            ));
        }
        let now = self.clock.now();
        let expires_at = now
            .checked_add(LINK_LIFETIME)
            .map_err(|e| AppError::Internal(e.to_string().into()))?;
        let token = random_token();
        self.store
            .insert_sign_in_link(&NewSignInLink {
                token_hash: token_hash(&token),
                dj_profile_id,
                email,
                redirect: redirect.to_string(),
                created_at: DbTime(now),
                expires_at: DbTime(expires_at),
            })
            .await?;
        tracing::info!(dj_profile_id = %dj_profile_id, "minted a sign-in link");
        Ok(SignInLink {
            url: format!("{}{LINK_PATH}{token}", self.settings.public_base_url),
            expires_at,
        })
    }

    /// `GET /sign-in/{token}`: spends the link and starts a session as the sign-in form does
    /// (ending `previous`, the browser's old session). `None` for an unknown, used or expired
    /// link and for a user a link may not sign in (the caller does not learn which).
    pub async fn redeem_sign_in_link(
        &self,
        token: &str,
        previous: Option<&str>,
    ) -> AppResult<Option<LinkSignIn>> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let redemption = self
            .store
            .redeem_sign_in_link(&token_hash(token), self.now())
            .await?;
        match redemption {
            Redemption::Invalid => Ok(None),
            Redemption::Refused => {
                tracing::warn!(
                    "refused a sign-in link: its email belongs to an admin or a disabled user"
                );
                Ok(None)
            }
            Redemption::SignIn {
                user,
                redirect,
                created,
            } => {
                let session = self.start_session(&user, previous).await?;
                tracing::info!(user = %user.id, created, "signed in with a DJ Dash link");
                Ok(Some(LinkSignIn { session, redirect }))
            }
        }
    }
}
