//! Who is calling: the service key, API tokens (stored only as SHA-256 hashes) and users with
//! argon2id password hashes. Hashing runs on the blocking pool, never on a runtime worker.

use crate::{App, AppError, AppResult};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use djcalls_domain::{Actor, DjProfileId, Role};
use djcalls_store::StoreError;
use djcalls_store::sign_in_links::NO_PASSWORD;
use djcalls_store::users::User;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

/// API tokens start with this, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "djc_";

/// A new random API token and the hash that is stored in its place.
pub fn new_api_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = token_hash(&token);
    (token, hash)
}

/// `hex(SHA-256(token))`: tokens are long and random, so a fast hash is the right one, and a
/// lookup by hash leaks no timing about the token itself.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::Internal(e.to_string().into()))
}

pub async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A valid argon2id hash of nothing anyone knows, verified when the email is unknown so a
/// failed login takes as long whether or not the account exists.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9SgnOIVtmSHWv1UCOcJMzeMlRbWkwjzcJQomjdB/Kqo";

pub fn actor_for(user: &User) -> Actor {
    match user.role {
        Role::Admin => Actor::Admin { user: user.id },
        Role::Dj => Actor::Dj {
            user: user.id,
            profiles: user.profiles.clone(),
        },
    }
}

/// `email` trimmed, if it looks like an email address (the one rule for new users).
pub fn checked_email(email: &str) -> AppResult<&str> {
    let email = email.trim();
    if !email.contains('@')
        || email.len() > 254
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(AppError::invalid("email", "must be an email address"));
    }
    Ok(email)
}

impl App {
    /// The actor behind `Authorization: Bearer <token>`.
    pub async fn authenticate_bearer(&self, token: &str) -> AppResult<Actor> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AppError::Unauthenticated);
        }
        if let Some(key) = &self.settings.service_key {
            // Compare digests: equal-length values, and the comparison reveals nothing of the key.
            if Sha256::digest(key.expose_secret().as_bytes()) == Sha256::digest(token.as_bytes()) {
                return Ok(Actor::Service);
            }
        }
        match self.store.user_by_token_hash(&token_hash(token)).await? {
            Some(user) if !user.disabled => Ok(actor_for(&user)),
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// Whether `bearer` may read `/metrics`: `METRICS_TOKEN`, the service key or an admin's API
    /// token. Route names and counts describe the platform, so the public and DJs may not.
    pub async fn may_read_metrics(&self, bearer: Option<&str>) -> AppResult<bool> {
        let Some(token) = bearer.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(false);
        };
        if let Some(expected) = &self.settings.metrics_token
            && Sha256::digest(expected.expose_secret().as_bytes())
                == Sha256::digest(token.as_bytes())
        {
            return Ok(true);
        }
        match self.authenticate_bearer(token).await {
            Ok(actor) => Ok(matches!(actor, Actor::Service | Actor::Admin { .. })),
            Err(AppError::Unauthenticated) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Checks an email and password (dashboard sign-in).
    pub async fn login(&self, email: &str, password: &str) -> AppResult<User> {
        let user = self.store.user_by_email(email).await?;
        // A user created by a sign-in link has no password: answered like an unknown email,
        // after as long a verification.
        let has_password = user
            .as_ref()
            .is_some_and(|u| u.password_hash != NO_PASSWORD);
        let hash = user
            .as_ref()
            .filter(|_| has_password)
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let ok = verify_password(hash, password.to_string()).await && has_password;
        match user {
            Some(user) if ok && !user.disabled => Ok(user),
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// `djcalls user add`.
    pub async fn add_user(
        &self,
        email: &str,
        password: &str,
        role: Role,
        profiles: &[DjProfileId],
    ) -> AppResult<User> {
        let email = checked_email(email)?;
        if password.chars().count() < 8 {
            return Err(AppError::invalid(
                "password",
                "must be at least 8 characters",
            ));
        }
        if role == Role::Dj && profiles.is_empty() {
            return Err(AppError::invalid(
                "dj_profile_id",
                "a dj user needs at least one --dj-profile-id",
            ));
        }
        let hash = hash_password(password.to_string()).await?;
        match self
            .store
            .insert_user(email, &hash, role, profiles, self.now())
            .await
        {
            Ok(user) => Ok(user),
            Err(StoreError::Conflict(_)) => Err(AppError::Conflict {
                code: "user_exists",
                message: "a user with this email already exists".into(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// `djcalls token create`: a new token for the user, returned once.
    pub async fn create_api_token(&self, email: &str, name: &str) -> AppResult<String> {
        let user = self
            .store
            .user_by_email(email)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let (token, hash) = new_api_token();
        self.store
            .insert_api_token(user.id, name, &hash, self.now())
            .await?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_stored_as_hashes() {
        let (a, hash_a) = new_api_token();
        let (b, _) = new_api_token();
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_ne!(a, b);
        assert_eq!(hash_a, token_hash(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a[TOKEN_PREFIX.len()..]));
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(hash.clone(), "correct horse".into()).await);
        assert!(!verify_password(hash, "wrong horse".into()).await);
        // The dummy hash parses, so unknown emails cost a real verification.
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password(DUMMY_HASH.into(), "anything".into()).await);
    }
}
