//! Two-way texts (SPEC §13): the conversation between a DJ and one caller, the DJ's replies,
//! and the inbound texts nobody has answered yet.
//!
//! A conversation is keyed as contacts are, by (DJ, the caller's E.164 number): every text the
//! DJ's numbers sent to it or got from it, whichever call it was linked to, so each of the
//! caller's call pages shows the same conversation.

use super::*;

/// A reply a DJ sent, as recorded once Twilio accepted it.
#[derive(Clone, Debug)]
pub struct SentReply<'a> {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
    pub message_sid: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body: &'a str,
}

/// The `kind` of a DJ's reply in `messages`.
pub const REPLY_KIND: &str = "reply";

impl Store {
    /// The latest `limit` texts between `dj_profile_id` and `phone` (E.164), oldest first.
    pub async fn conversation(
        &self,
        actor: &Actor,
        dj_profile_id: DjProfileId,
        phone: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let mut newest_first = in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM messages WHERE dj_profile_id = $1 \
                 AND (from_number = $2 OR to_number = $2) \
                 ORDER BY created_at DESC, id DESC LIMIT $3",
            ))
            .bind(dj_profile_id.0)
            .bind(phone)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        });
        newest_first.reverse();
        Ok(newest_first)
    }

    /// When `phone` last texted `dj_profile_id`'s number (any inbound text), if ever.
    pub async fn last_text_from(
        &self,
        actor: &Actor,
        dj_profile_id: DjProfileId,
        phone: &str,
    ) -> StoreResult<Option<DbTime>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_scalar::<_, DbTime>(
                "SELECT created_at FROM messages WHERE dj_profile_id = $1 AND from_number = $2 \
                 AND direction = 'inbound' ORDER BY created_at DESC LIMIT 1",
            )
            .bind(dj_profile_id.0)
            .bind(phone)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// Records a reply Twilio accepted (a status callback that beat us here left a bare row:
    /// it is filled in) and returns it as stored, enqueueing `jobs` (what the text causes: its
    /// contact's `contact.updated`) in the same transaction.
    pub async fn record_reply_sent(
        &self,
        sent: &SentReply<'_>,
        now: DbTime,
        jobs: &[crate::jobs::NewJob],
    ) -> StoreResult<Message> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            for job in jobs {
                crate::jobs::enqueue(conn, job, now).await?;
            }
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "INSERT INTO messages (id, direction, kind, message_sid, dj_profile_id, call_id, \
                 from_number, to_number, body, status, status_rank, created_at, updated_at) \
                 VALUES ($1, 'outbound', $2, $3, $4, $5, $6, $7, $8, 'accepted', 0, $9, $9) \
                 ON CONFLICT (message_sid) DO UPDATE SET kind = excluded.kind, \
                   dj_profile_id = excluded.dj_profile_id, call_id = excluded.call_id, \
                   from_number = excluded.from_number, to_number = excluded.to_number, \
                   body = excluded.body, updated_at = excluded.updated_at \
                 RETURNING {COLUMNS}",
            ))
            .bind(Uuid::now_v7())
            .bind(REPLY_KIND)
            .bind(sent.message_sid)
            .bind(sent.dj_profile_id.0)
            .bind(sent.call_id.0)
            .bind(sent.from)
            .bind(sent.to)
            .bind(sent.body)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    /// Texts from leads (not STOP/START/HELP) that no reply from the same DJ to the same number
    /// has followed (in the conversation's order: time, then the time-ordered id), newest first: the dashboard's "New messages". `dj_profile_id` narrows it
    /// to one DJ; without it, every DJ the actor may see.
    pub async fn unanswered_texts(
        &self,
        actor: &Actor,
        dj_profile_id: Option<DjProfileId>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let profiles: Option<Vec<Uuid>> = match (dj_profile_id, actor) {
            (Some(dj), _) => Some(vec![dj.0]),
            (None, Actor::Dj { profiles, .. }) => Some(profiles.iter().map(|p| p.0).collect()),
            (None, _) => None,
        };
        let mut out = Vec::new();
        // One short query per DJ (a DJ user has a handful); platform roles see all DJs at once.
        let scopes: Vec<Option<Uuid>> = match profiles {
            Some(list) => list.into_iter().map(Some).collect(),
            None => vec![None],
        };
        for scope in scopes {
            let rows = in_tx!(self, actor, replica, |conn| {
                sqlx::query_as::<_, Message>(sql_with(
                    COLUMNS,
                    "SELECT {COLUMNS} FROM messages m WHERE m.direction = 'inbound' \
                     AND m.kind = 'lead' AND m.dj_profile_id IS NOT NULL \
                     AND ($1 IS NULL OR m.dj_profile_id = $1) \
                     AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.dj_profile_id = m.dj_profile_id \
                       AND r.to_number = m.from_number AND r.kind = $2 \
                       AND (r.created_at, r.id) > (m.created_at, m.id)) \
                     ORDER BY m.created_at DESC, m.id DESC LIMIT $3",
                ))
                .bind(scope)
                .bind(REPLY_KIND)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?
            });
            out.extend(rows);
        }
        out.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.id)));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
}
