//! The follow-up texts a DJ wrote (`followup_texts`, SPEC §13). The store keeps them as given;
//! what makes one valid is `domain::followup_template`'s to say.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId};

/// One stored text: its kind (`thanks` / `missed`), language (`en` / `es`) and template.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FollowupText {
    pub kind: String,
    pub language: String,
    pub body: String,
}

impl Store {
    /// The DJ's own texts (none: the platform's defaults apply).
    pub async fn followup_texts(
        &self,
        actor: &Actor,
        dj: DjProfileId,
    ) -> StoreResult<Vec<FollowupText>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, FollowupText>(
                "SELECT kind, language, body FROM followup_texts \
                 WHERE dj_profile_id = $1 ORDER BY kind, language",
            )
            .bind(dj.0)
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Replaces all of the DJ's texts with `texts`, in one transaction.
    pub async fn replace_followup_texts(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        texts: &[FollowupText],
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, actor, write, |conn| {
            sqlx::query("DELETE FROM followup_texts WHERE dj_profile_id = $1")
                .bind(dj.0)
                .execute(&mut *conn)
                .await?;
            for text in texts {
                sqlx::query(
                    "INSERT INTO followup_texts (dj_profile_id, kind, language, body, updated_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(dj.0)
                .bind(&text.kind)
                .bind(&text.language)
                .bind(&text.body)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }
}
