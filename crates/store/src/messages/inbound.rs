//! Messages received and delivery reports, kept in order.

use super::*;

/// What keeping an inbound text did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InboundRecorded {
    /// False when this MessageSid was kept before.
    pub new: bool,
    /// The DJ whose assigned number got it.
    pub dj_profile_id: Option<DjProfileId>,
    /// That DJ's latest call from the sender (whose page then shows it).
    pub call_id: Option<CallId>,
}

impl Store {
    /// Keeps an inbound text once per MessageSid, linked to the DJ whose assigned number got
    /// it and to that DJ's latest call from the sender (whose page then shows it).
    pub async fn record_inbound_message(
        &self,
        message: &InboundMessage<'_>,
        now: DbTime,
    ) -> StoreResult<InboundRecorded> {
        self.record_inbound_message_with(message, now, |_| Vec::new())
            .await
    }

    /// [`Store::record_inbound_message`], enqueueing `jobs(dj)` (what a new text from a DJ's
    /// contact causes: its `contact.updated`) in the same transaction when the text is new and
    /// came to a DJ's number.
    pub async fn record_inbound_message_with<F>(
        &self,
        message: &InboundMessage<'_>,
        now: DbTime,
        jobs: F,
    ) -> StoreResult<InboundRecorded>
    where
        F: Fn(DjProfileId) -> Vec<crate::jobs::NewJob> + Send + Sync,
    {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let dj: Option<Uuid> = sqlx::query_scalar(
                "SELECT dj_profile_id FROM dj_virtual_numbers WHERE virtual_number = $1 AND state = 'assigned'",
            )
            .bind(message.to)
            .fetch_optional(&mut *conn)
            .await?;
            let call: Option<Uuid> =
                match dj {
                    Some(dj) => sqlx::query_scalar(
                        "SELECT id FROM dj_calls WHERE dj_profile_id = $1 AND caller_number = $2 \
                         ORDER BY \"timestamp\" DESC, id DESC LIMIT 1",
                    )
                    .bind(dj)
                    .bind(message.from)
                    .fetch_optional(&mut *conn)
                    .await?,
                    None => None,
                };
            let inserted = sqlx::query(
                "INSERT INTO messages (id, direction, kind, message_sid, dj_profile_id, call_id, \
                 from_number, to_number, body, status, status_rank, created_at, updated_at) \
                 VALUES ($1, 'inbound', $2, $3, $4, $5, $6, $7, $8, 'received', $9, $10, $10) \
                 ON CONFLICT (message_sid) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(message.kind)
            .bind(message.message_sid)
            .bind(dj)
            .bind(call)
            .bind(message.from)
            .bind(message.to)
            .bind(message.body)
            .bind(status_rank("received"))
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
            if let Some(dj) = dj.filter(|_| inserted) {
                for job in jobs(DjProfileId(dj)) {
                    crate::jobs::enqueue(conn, &job, now).await?;
                }
            }
            InboundRecorded {
                new: inserted,
                dj_profile_id: dj.map(DjProfileId),
                call_id: call.map(CallId),
            }
        }))
    }

    /// Records a delivery report for `message_sid`; a report older than what we know changes
    /// nothing. A report for a message we have not recorded yet (it raced our own write) is
    /// kept and completed later. Returns the recipient as stored.
    pub async fn record_message_status(
        &self,
        message_sid: &str,
        status: &str,
        error_code: Option<i32>,
        to: Option<&str>,
        from: Option<&str>,
        now: DbTime,
    ) -> StoreResult<Option<String>> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query_scalar::<_, Option<String>>(
                "INSERT INTO messages (id, direction, kind, message_sid, from_number, to_number, \
                 status, status_rank, error_code, created_at, updated_at) \
                 VALUES ($1, 'outbound', 'unknown', $2, $3, $4, $5, $6, $7, $8, $8) \
                 ON CONFLICT (message_sid) DO UPDATE SET \
                   status = CASE WHEN excluded.status_rank >= messages.status_rank \
                                 THEN excluded.status ELSE messages.status END, \
                   status_rank = CASE WHEN excluded.status_rank >= messages.status_rank \
                                 THEN excluded.status_rank ELSE messages.status_rank END, \
                   error_code = COALESCE(excluded.error_code, messages.error_code), \
                   to_number = COALESCE(messages.to_number, excluded.to_number), \
                   from_number = COALESCE(messages.from_number, excluded.from_number), \
                   updated_at = excluded.updated_at \
                 RETURNING to_number",
            )
            .bind(Uuid::now_v7())
            .bind(message_sid)
            .bind(from)
            .bind(to)
            .bind(status)
            .bind(status_rank(status))
            .bind(error_code)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    pub async fn message_by_sid(
        &self,
        actor: &Actor,
        message_sid: &str,
    ) -> StoreResult<Option<Message>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM messages WHERE message_sid = $1",
            ))
            .bind(message_sid)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// A DJ's texts (sent and received), newest first.
    pub async fn messages_for_profile(
        &self,
        actor: &Actor,
        dj_profile_id: DjProfileId,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM messages WHERE dj_profile_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2",
            ))
            .bind(dj_profile_id.0)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
