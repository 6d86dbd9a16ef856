//! Users (dashboard sign-in), the DJ profiles they own, and API tokens stored only as hashes.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId, Role, UserId};
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub profiles: Vec<DjProfileId>,
    /// Disabled by an operator: no sign-in, no token, no session.
    pub disabled: bool,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    password_hash: String,
    role: String,
    disabled_at: Option<DbTime>,
}

impl Store {
    /// Creates a user linked to `profiles` (which need not exist yet). Emails are unique,
    /// compared in lower case.
    pub async fn insert_user(
        &self,
        email: &str,
        password_hash: &str,
        role: Role,
        profiles: &[DjProfileId],
        now: DbTime,
    ) -> StoreResult<User> {
        let id = Uuid::now_v7();
        let email = email.trim().to_lowercase();
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "INSERT INTO users (id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&email)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await?;
            for profile in profiles {
                sqlx::query(
                    "INSERT INTO user_profiles (user_id, dj_profile_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(profile.0)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(User {
            id: UserId(id),
            email,
            password_hash: password_hash.to_string(),
            role,
            profiles: profiles.to_vec(),
            disabled: false,
        })
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let email = email.trim().to_lowercase();
        let row = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, email, password_hash, role, disabled_at FROM users WHERE email = $1",
            )
            .bind(&email)
            .fetch_optional(&mut *conn)
            .await?
        });
        match row {
            Some(row) => Ok(Some(self.with_profiles(row).await?)),
            None => Ok(None),
        }
    }

    pub async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, email, password_hash, role, disabled_at FROM users WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
        });
        match row {
            Some(row) => Ok(Some(self.with_profiles(row).await?)),
            None => Ok(None),
        }
    }

    async fn with_profiles(&self, row: UserRow) -> StoreResult<User> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("unknown role {:?}", row.role)))?;
        let profiles: Vec<Uuid> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar(
                "SELECT dj_profile_id FROM user_profiles WHERE user_id = $1 ORDER BY dj_profile_id",
            )
            .bind(row.id)
            .fetch_all(&mut *conn)
            .await?
        });
        Ok(User {
            id: UserId(row.id),
            email: row.email,
            password_hash: row.password_hash,
            role,
            profiles: profiles.into_iter().map(DjProfileId).collect(),
            disabled: row.disabled_at.is_some(),
        })
    }

    /// Stores a new API token's hash under `name`.
    pub async fn insert_api_token(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind(user.0)
            .bind(name)
            .bind(token_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The user behind a live (unrevoked) token hash.
    pub async fn user_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let user_id: Option<Uuid> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar(
                "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?
        });
        match user_id {
            Some(id) => self.user(UserId(id)).await,
            None => Ok(None),
        }
    }
}
