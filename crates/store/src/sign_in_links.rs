//! One-time sign-in links from DJ Dash (`sign_in_links`, SPEC §14): minted by the service,
//! redeemed once by a browser. Rows are keyed by the token's SHA-256 hash.
//!
//! Redeeming is one transaction: the link is marked used by a conditional `UPDATE` (so of two
//! concurrent requests exactly one gets the row), then the DJ user for its email is found or
//! created and linked to its profile. A refusal (an admin's email, a disabled user) still
//! commits the mark: a link is spent by its first use, whatever the outcome.

use crate::users::User;
use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId, Role};
use uuid::Uuid;

/// A new link, as the store keeps it.
#[derive(Clone, Debug)]
pub struct NewSignInLink {
    pub token_hash: String,
    pub dj_profile_id: DjProfileId,
    /// Lower-cased and trimmed by the caller.
    pub email: String,
    pub redirect: String,
    pub created_at: DbTime,
    pub expires_at: DbTime,
}

/// What redeeming a link came to.
#[derive(Clone, Debug)]
pub enum Redemption {
    /// Unknown, already used or expired (never said which).
    Invalid,
    /// The link was valid but its email belongs to a user who may not sign in this way: an
    /// admin (a link never grants more than a DJ's access) or a disabled user.
    Refused,
    /// Sign this user in and send the browser to `redirect`. `created` when the user did not
    /// exist before this link.
    SignIn {
        user: User,
        redirect: String,
        created: bool,
    },
}

/// What users without a password hold in `users.password_hash`: no argon2 hash parses as this,
/// so no password ever matches it (the sign-in form treats it like an unknown email).
pub const NO_PASSWORD: &str = "";

#[derive(sqlx::FromRow)]
struct Claimed {
    dj_profile_id: Uuid,
    email: String,
    redirect: String,
}

#[derive(sqlx::FromRow)]
struct ExistingUser {
    id: Uuid,
    role: String,
    disabled_at: Option<DbTime>,
}

impl Store {
    /// Stores a new link and forgets links that expired before it.
    pub async fn insert_sign_in_link(&self, link: &NewSignInLink) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM sign_in_links WHERE expires_at <= $1")
                .bind(link.created_at)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO sign_in_links (token_hash, dj_profile_id, email, redirect, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&link.token_hash)
            .bind(link.dj_profile_id.0)
            .bind(&link.email)
            .bind(&link.redirect)
            .bind(link.created_at)
            .bind(link.expires_at)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Spends the link with this hash if it is unused and unexpired at `now`, and finds or
    /// creates its DJ user (see the module docs).
    pub async fn redeem_sign_in_link(
        &self,
        token_hash: &str,
        now: DbTime,
    ) -> StoreResult<Redemption> {
        let outcome = in_tx!(self, &Actor::System, write, |conn| {
            let claimed = sqlx::query_as::<_, Claimed>(
                "UPDATE sign_in_links SET used_at = $2 \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                 RETURNING dj_profile_id, email, redirect",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            match claimed {
                None => None,
                Some(link) => {
                    let select_user = "SELECT id, role, disabled_at FROM users WHERE email = $1";
                    let mut created = false;
                    let mut existing = sqlx::query_as::<_, ExistingUser>(select_user)
                        .bind(&link.email)
                        .fetch_optional(&mut *conn)
                        .await?;
                    if existing.is_none() {
                        // Another link for the same new email may be redeemed at this moment:
                        // the unique email settles it, and the loser reads the winner's user.
                        let id = Uuid::now_v7();
                        let inserted: Option<Uuid> = sqlx::query_scalar(
                            "INSERT INTO users (id, email, password_hash, role, created_at) \
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
                        )
                        .bind(id)
                        .bind(&link.email)
                        .bind(NO_PASSWORD)
                        .bind(Role::Dj.as_str())
                        .bind(now)
                        .fetch_optional(&mut *conn)
                        .await?;
                        created = inserted.is_some();
                        existing = match inserted {
                            Some(id) => Some(ExistingUser {
                                id,
                                role: Role::Dj.as_str().to_string(),
                                disabled_at: None,
                            }),
                            None => {
                                sqlx::query_as::<_, ExistingUser>(select_user)
                                    .bind(&link.email)
                                    .fetch_optional(&mut *conn)
                                    .await?
                            }
                        };
                    }
                    // Never more than a DJ's access, and never for a disabled user.
                    let user_id = existing
                        .filter(|u| u.disabled_at.is_none() && u.role == Role::Dj.as_str())
                        .map(|u| u.id);
                    if let Some(id) = user_id {
                        sqlx::query(
                            "INSERT INTO user_profiles (user_id, dj_profile_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        )
                        .bind(id)
                        .bind(link.dj_profile_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Some((user_id, created, link.redirect))
                }
            }
        });
        Ok(match outcome {
            None => Redemption::Invalid,
            Some((None, _, _)) => Redemption::Refused,
            Some((Some(id), created, redirect)) => {
                match self.user(djcalls_domain::UserId(id)).await? {
                    Some(user) => Redemption::SignIn {
                        user,
                        redirect,
                        created,
                    },
                    // Deleted between the commit and this read: nobody to sign in.
                    None => Redemption::Refused,
                }
            }
        })
    }
}
