//! DJ profiles: who a virtual number belongs to, and the tenant key of every DJ-owned row.

use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, DjProfileId};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Profile {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: DjProfileId,
    pub dj_name: String,
    pub dj_slug: String,
    pub is_published: bool,
    pub timezone: String,
    /// E.164.
    pub real_phone_number: Option<String>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

/// Every column a caller sets; the application merges a partial update onto the stored row.
#[derive(Clone, Debug)]
pub struct ProfileFields {
    pub dj_name: String,
    pub dj_slug: String,
    pub is_published: bool,
    pub timezone: String,
    pub real_phone_number: Option<String>,
}

const COLUMNS: &str =
    "id, dj_name, dj_slug, is_published, timezone, real_phone_number, created_at, updated_at";

impl Store {
    pub async fn profile(&self, actor: &Actor, id: DjProfileId) -> StoreResult<Option<Profile>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Profile>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM dj_profiles WHERE id = $1",
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Creates the profile or replaces its fields; returns the row and whether it was created.
    pub async fn upsert_profile(
        &self,
        actor: &Actor,
        id: DjProfileId,
        fields: &ProfileFields,
        now: DbTime,
    ) -> StoreResult<(Profile, bool)> {
        Ok(in_tx!(self, actor, write, |conn| {
            let existed: Option<uuid::Uuid> =
                sqlx::query_scalar("SELECT id FROM dj_profiles WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            let profile = sqlx::query_as::<_, Profile>(sql_with(
                COLUMNS,
                "INSERT INTO dj_profiles (id, dj_name, dj_slug, is_published, timezone, \
                 real_phone_number, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                 ON CONFLICT (id) DO UPDATE SET dj_name = excluded.dj_name, \
                 dj_slug = excluded.dj_slug, is_published = excluded.is_published, \
                 timezone = excluded.timezone, real_phone_number = excluded.real_phone_number, \
                 updated_at = excluded.updated_at \
                 RETURNING {COLUMNS}",
            ))
            .bind(id.0)
            .bind(&fields.dj_name)
            .bind(&fields.dj_slug)
            .bind(fields.is_published)
            .bind(&fields.timezone)
            .bind(&fields.real_phone_number)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            (profile, existed.is_none())
        }))
    }

    /// Every profile's id and name, by name (the admin console's DJ filter), at most `limit`.
    pub async fn profile_names(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> StoreResult<Vec<(DjProfileId, String)>> {
        let rows: Vec<(uuid::Uuid, String)> = in_tx!(self, actor, read, |conn| {
            sqlx::query_as("SELECT id, dj_name FROM dj_profiles ORDER BY dj_name, id LIMIT $1")
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name)| (DjProfileId(id), name))
            .collect())
    }
}
